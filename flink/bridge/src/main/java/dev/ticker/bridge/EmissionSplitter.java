package dev.ticker.bridge;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Routes a worker call's emissions: outputs to the main stream, dead letters to {@link #DEAD_LETTERS}. */
public class EmissionSplitter extends ProcessFunction<Emission, BridgeRecord> {

    /** Side output of every node's dead letters. */
    public static final OutputTag<BridgeRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    @Override
    public void processElement(Emission emission, Context context, Collector<BridgeRecord> out) {
        if (emission.deadLetter) {
            context.output(DEAD_LETTERS, emission.record);
        } else {
            out.collect(emission.record);
        }
    }
}
