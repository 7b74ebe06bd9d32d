package dev.ticker.bench;

/** A valid tick as a `ticks` row (a Flink POJO, so window state uses the POJO serializer). */
public class TickRow {
    public String id;
    public String symbol;
    public double price;
    public long volume;
    /** Event time, epoch milliseconds (the tick's ts). */
    public long tsMillis;

    public TickRow() {}

    public TickRow(String id, String symbol, double price, long volume, long tsMillis) {
        this.id = id;
        this.symbol = symbol;
        this.price = price;
        this.volume = volume;
        this.tsMillis = tsMillis;
    }
}
