package dev.ticker.bridge;

import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Merges one-record accumulators into a window's accumulator, field by field as the descriptor's
 * accumulator spec says (incremental aggregation: the window state is one accumulator per window and
 * key, however many records it saw). sum/count add, min/max keep the extreme, first/last keep the
 * value of the record with the smallest/largest ordering key (unsigned byte order; the worker encodes
 * keys so that this is the key's order). On equal keys the accumulator already held wins for first
 * and the newer record for last, as a stable sort would.
 */
public class AccumulatorMerge implements AggregateFunction<BridgeRecord, WindowAccumulator, WindowAccumulator> {

    private static final byte SUM = 0;
    private static final byte COUNT = 1;
    private static final byte MIN = 2;
    private static final byte MAX = 3;

    private final String window;
    private final int index;
    /** Per numeric field: SUM, COUNT, MIN or MAX. */
    private final byte[] numericOps;
    /** Per first/last field: true for first. */
    private final boolean[] firsts;

    /** @param index which of the record's accumulators is this window's (Descriptor#accumulatorIndex) */
    public AccumulatorMerge(String window, int index, List<Descriptor.AccumulatorField> fields) {
        this.window = window;
        this.index = index;
        this.numericOps = new byte[(int) fields.stream().filter(Descriptor.AccumulatorField::numeric).count()];
        this.firsts = new boolean[fields.size() - numericOps.length];
        int n = 0;
        int v = 0;
        for (Descriptor.AccumulatorField field : fields) {
            switch (field.op()) {
                case "sum" -> numericOps[n++] = SUM;
                case "count" -> numericOps[n++] = COUNT;
                case "min" -> numericOps[n++] = MIN;
                case "max" -> numericOps[n++] = MAX;
                case "first" -> firsts[v++] = true;
                case "last" -> firsts[v++] = false;
                default -> throw new DescriptorException("window '" + window + "': unknown accumulator op '" + field.op() + "'");
            }
        }
    }

    @Override
    public WindowAccumulator createAccumulator() {
        return new WindowAccumulator();
    }

    @Override
    public WindowAccumulator add(BridgeRecord record, WindowAccumulator acc) {
        if (record.accumulators == null || record.accumulators.length <= index) {
            throw new IllegalStateException("record " + record.origin + " reached window '" + window
                    + "' without its accumulator (worker and descriptor disagree)");
        }
        return merge(acc, record.accumulators[index]);
    }

    @Override
    public WindowAccumulator getResult(WindowAccumulator acc) {
        return acc;
    }

    /** Folds {@code b} into {@code a} (in place) and returns {@code a}. */
    @Override
    public WindowAccumulator merge(WindowAccumulator a, WindowAccumulator b) {
        if (b.empty()) {
            return a;
        }
        if (b.numbers.length != numericOps.length || b.values.length != firsts.length) {
            throw new IllegalStateException("window '" + window + "': an accumulator has " + b.numbers.length
                    + " numbers and " + b.values.length + " values, the spec " + numericOps.length + " and " + firsts.length);
        }
        if (a.empty()) {
            a.numbers = b.numbers.clone();
            a.values = b.values.clone();
            a.firstOrder = b.firstOrder;
            a.lastOrder = b.lastOrder;
            return a;
        }
        for (int i = 0; i < numericOps.length; i++) {
            double x = a.numbers[i];
            double y = b.numbers[i];
            a.numbers[i] = switch (numericOps[i]) {
                case SUM, COUNT -> x + y;
                case MIN -> Math.min(x, y);
                default -> Math.max(x, y);
            };
        }
        boolean earlier = Arrays.compareUnsigned(b.firstOrder, a.firstOrder) < 0;
        boolean later = Arrays.compareUnsigned(b.lastOrder, a.lastOrder) >= 0;
        for (int i = 0; i < firsts.length; i++) {
            if (firsts[i] ? earlier : later) {
                a.values[i] = b.values[i];
            }
        }
        if (earlier) {
            a.firstOrder = b.firstOrder;
        }
        if (later) {
            a.lastOrder = b.lastOrder;
        }
        return a;
    }
}
