package dev.ticker.bridge;

/**
 * What a worker call produces for one input: an output record, or a dead letter (the worker's
 * Rejection.dead_letter JSON as the record value). Async functions cannot emit side outputs, so
 * both travel in this one type and {@link EmissionSplitter} routes dead letters to a side output.
 */
public class Emission {
    public BridgeRecord record;
    public boolean deadLetter;

    /** For Flink's POJO serializer. */
    public Emission() {}

    private Emission(BridgeRecord record, boolean deadLetter) {
        this.record = record;
        this.deadLetter = deadLetter;
    }

    /** A record for the node's main output. */
    public static Emission output(BridgeRecord record) {
        return new Emission(record, false);
    }

    /** A dead-letter record for the dead-letter targets. */
    public static Emission deadLetter(BridgeRecord record) {
        return new Emission(record, true);
    }

    @Override
    public String toString() {
        return (deadLetter ? "DeadLetter" : "Output") + "[" + record + "]";
    }
}
