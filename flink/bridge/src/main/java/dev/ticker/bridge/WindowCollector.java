package dev.ticker.bridge;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Emits one {@link FiredWindow} (key, bounds, records in arrival order) per window firing. The
 * records live in Flink's window state until then; the worker only sees them in Aggregate.
 */
public class WindowCollector extends ProcessWindowFunction<BridgeRecord, FiredWindow, String, TimeWindow> {

    @Override
    public void process(String key, Context context, Iterable<BridgeRecord> elements, Collector<FiredWindow> out) {
        List<BridgeRecord> records = new ArrayList<>();
        elements.forEach(records::add);
        TimeWindow window = context.window();
        out.collect(new FiredWindow(key, window.getStart(), window.getEnd(), records.toArray(new BridgeRecord[0])));
    }
}
