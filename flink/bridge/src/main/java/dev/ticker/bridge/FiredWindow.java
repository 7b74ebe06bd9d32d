package dev.ticker.bridge;

/** One fired event-time window of one key: what the worker's Aggregate receives. A Flink POJO. */
public class FiredWindow {
    public String key;
    public long start;
    public long end;
    public BridgeRecord[] records;

    /** For Flink's POJO serializer. */
    public FiredWindow() {}

    public FiredWindow(String key, long start, long end, BridgeRecord[] records) {
        this.key = key;
        this.start = start;
        this.end = end;
        this.records = records;
    }
}
