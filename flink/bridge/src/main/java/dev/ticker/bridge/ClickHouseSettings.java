package dev.ticker.bridge;

import java.io.Serializable;

/** One ClickHouse sink: server, database, table, credentials, batching and retries. */
public record ClickHouseSettings(
        String url,
        String database,
        String table,
        String user,
        String password,
        int batchSize,
        long flushMs,
        RetryPolicy retry)
        implements Serializable {

    @Override
    public String toString() {
        return "ClickHouseSettings[url=" + url + ", database=" + database + ", table=" + table + ", user=" + user
                + ", batchSize=" + batchSize + ", flushMs=" + flushMs + ", retry=" + retry + "]";
    }
}
