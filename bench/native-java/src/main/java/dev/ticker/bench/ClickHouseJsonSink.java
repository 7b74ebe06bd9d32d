package dev.ticker.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A ClickHouse table sink for JSON rows, written the way the bridge writes them: rows buffered,
 * posted as {@code INSERT INTO <table> FORMAT JSONEachRow} to {@code <url>/?database=<db>} when
 * {@code batchSize} rows wait, when the oldest waited {@code flushMs}, and before every checkpoint
 * barrier ({@link SinkWriter#flush}); retried with backoff, then the job fails. Used by both the
 * native Java job and the PyFlink job, so the sink costs the same in both.
 */
public class ClickHouseJsonSink implements Sink<String> {

    private final String url;
    private final String database;
    private final String table;
    private final int batchSize;
    private final long flushMs;

    public ClickHouseJsonSink(String url, String database, String table, int batchSize, long flushMs) {
        this.url = url.endsWith("/") ? url : url + "/";
        this.database = database;
        this.table = table;
        this.batchSize = batchSize;
        this.flushMs = flushMs;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        return new Writer(context.getProcessingTimeService());
    }

    private final class Writer implements SinkWriter<String> {
        private final ProcessingTimeService time;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI insertUri;
        private List<String> buffer = new ArrayList<>();
        private long oldestAt;
        private boolean timerPending;

        Writer(ProcessingTimeService time) {
            this.time = time;
            String query = "INSERT INTO `" + table + "` FORMAT JSONEachRow";
            this.insertUri = URI.create(url + "?database=" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                    + "&query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        }

        @Override
        public void write(String row, Context context) throws IOException, InterruptedException {
            if (buffer.isEmpty()) {
                oldestAt = time.getCurrentProcessingTime();
                schedule(oldestAt + flushMs);
            }
            buffer.add(row);
            if (buffer.size() >= batchSize) {
                insert();
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            insert();
        }

        private void schedule(long at) {
            if (timerPending) {
                return;
            }
            timerPending = true;
            time.registerTimer(at, now -> {
                timerPending = false;
                if (buffer.isEmpty()) {
                    return;
                }
                long due = oldestAt + flushMs;
                if (time.getCurrentProcessingTime() >= due) {
                    insert();
                } else {
                    schedule(due);
                }
            });
        }

        private void insert() throws IOException, InterruptedException {
            if (buffer.isEmpty()) {
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(buffer.size() * 128);
            for (String row : buffer) {
                body.write(row.getBytes(StandardCharsets.UTF_8));
                body.write('\n');
            }
            byte[] payload = body.toByteArray();
            String lastError = null;
            for (int attempt = 1; attempt <= 6; attempt++) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(insertUri)
                                    .timeout(Duration.ofSeconds(30))
                                    .header("Content-Type", "application/x-ndjson")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        buffer = new ArrayList<>();
                        return;
                    }
                    lastError = "HTTP " + response.statusCode() + ": " + response.body().strip();
                } catch (IOException e) {
                    lastError = e.toString();
                }
                Thread.sleep(Math.min(8000, 500L << (attempt - 1)));
            }
            throw new IOException("ClickHouse insert of " + buffer.size() + " rows into " + database + "." + table
                    + " at " + url + " failed; last error: " + lastError);
        }

        @Override
        public void close() {
            buffer.clear();
        }
    }
}
