package dev.ticker.bridge;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Emits a fired window's merged accumulator as one record for the worker's finish: the window's key,
 * timestamp = window end - 1, origin {@code <window>/<key>/<start>}, the bounds on the accumulator.
 */
public class FiredAccumulator extends ProcessWindowFunction<WindowAccumulator, BridgeRecord, String, TimeWindow> {

    private static final byte[] NO_VALUE = new byte[0];
    private final String window;

    public FiredAccumulator(String window) {
        this.window = window;
    }

    /**
     * A fired window's origin: {@code <window>/<key>/<start ms>}. The worker's rule is windowOrigin in
     * pipeline/src/runtime/window.ts; common/fixtures/window-origin.json holds cases both must give.
     */
    static String origin(String window, String key, long start) {
        return window + "/" + key + "/" + start;
    }

    @Override
    public void process(String key, Context context, Iterable<WindowAccumulator> merged, Collector<BridgeRecord> out) {
        TimeWindow bounds = context.window();
        for (WindowAccumulator acc : merged) {
            WindowAccumulator fired = new WindowAccumulator();
            fired.firstOrder = acc.firstOrder;
            fired.lastOrder = acc.lastOrder;
            fired.numbers = acc.numbers;
            fired.values = acc.values;
            fired.windowStart = bounds.getStart();
            fired.windowEnd = bounds.getEnd();
            BridgeRecord record = new BridgeRecord(NO_VALUE, key, bounds.getEnd() - 1,
                    origin(window, key, bounds.getStart()));
            record.accumulators = new WindowAccumulator[] {fired};
            out.collect(record);
        }
    }
}
