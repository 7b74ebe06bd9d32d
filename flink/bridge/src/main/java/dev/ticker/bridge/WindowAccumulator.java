package dev.ticker.bridge;

import com.google.protobuf.ByteString;
import dev.ticker.bridge.grpc.Accumulator;
import java.util.Arrays;

/**
 * A partial aggregate of one window and key (a Flink POJO): what the window state holds instead of
 * the records. Mirrors worker.proto Accumulator: numbers (sum, count, min, max fields in spec order)
 * and JSON values (first, last fields in spec order), plus the byte-comparable ordering keys of the
 * first and last records folded in. Empty (numbers == null) until the first record.
 */
public class WindowAccumulator {
    public byte[] firstOrder;
    public byte[] lastOrder;
    public double[] numbers;
    public byte[][] values;
    /** Set when the window fires: its bounds, epoch ms. */
    public long windowStart;
    public long windowEnd;

    /** For Flink's POJO serializer; an empty accumulator. */
    public WindowAccumulator() {}

    /** True before any record was folded in. */
    public boolean empty() {
        return numbers == null;
    }

    /** A worker's one-record accumulator. */
    static WindowAccumulator fromProto(Accumulator proto) {
        WindowAccumulator acc = new WindowAccumulator();
        byte[] order = proto.getOrder().toByteArray();
        acc.firstOrder = order;
        acc.lastOrder = order;
        acc.numbers = new double[proto.getNumbersCount()];
        for (int i = 0; i < acc.numbers.length; i++) {
            acc.numbers[i] = proto.getNumbers(i);
        }
        acc.values = new byte[proto.getValuesCount()][];
        for (int i = 0; i < acc.values.length; i++) {
            acc.values[i] = proto.getValues(i).toByteArray();
        }
        acc.windowStart = proto.getWindowStart();
        acc.windowEnd = proto.getWindowEnd();
        return acc;
    }

    /** The proto form the worker's finish reads (the ordering keys stay in Flink). */
    Accumulator toProto() {
        Accumulator.Builder proto = Accumulator.newBuilder().setWindowStart(windowStart).setWindowEnd(windowEnd);
        if (numbers != null) {
            for (double n : numbers) {
                proto.addNumbers(n);
            }
            for (byte[] v : values) {
                proto.addValues(ByteString.copyFrom(v));
            }
        }
        return proto.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowAccumulator a && windowStart == a.windowStart && windowEnd == a.windowEnd
                && Arrays.equals(firstOrder, a.firstOrder) && Arrays.equals(lastOrder, a.lastOrder)
                && Arrays.equals(numbers, a.numbers) && Arrays.deepEquals(values, a.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(numbers) * 31 + Long.hashCode(windowStart);
    }

    @Override
    public String toString() {
        return "WindowAccumulator[numbers=" + Arrays.toString(numbers) + ", values=" + (values == null ? 0 : values.length)
                + ", window=" + windowStart + ".." + windowEnd + "]";
    }
}
