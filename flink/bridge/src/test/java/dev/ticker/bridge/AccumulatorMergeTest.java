package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Merging one-record accumulators field by field, in any order, into one accumulator. */
class AccumulatorMergeTest {

    private static final List<Descriptor.AccumulatorField> FIELDS = List.of(
            new Descriptor.AccumulatorField("open", "first"), new Descriptor.AccumulatorField("close", "last"),
            new Descriptor.AccumulatorField("high", "max"), new Descriptor.AccumulatorField("low", "min"),
            new Descriptor.AccumulatorField("volume", "sum"), new Descriptor.AccumulatorField("ticks", "count"));

    /** A record whose window accumulator (index 1; index 0 belongs to another window) is for price p at time t. */
    private static BridgeRecord record(long t, double price, double volume) {
        WindowAccumulator acc = new WindowAccumulator();
        acc.firstOrder = ByteBuffer.allocate(8).putLong(t).array();
        acc.lastOrder = acc.firstOrder;
        acc.numbers = new double[] {price, price, volume, 1};
        acc.values = new byte[][] {json(price), json(price)};
        BridgeRecord record = new BridgeRecord(new byte[0], "K", t, "in/0/" + t);
        record.accumulators = new WindowAccumulator[] {new WindowAccumulator(), acc};
        return record;
    }

    private static byte[] json(double price) {
        return Double.toString(price).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void foldsEveryFieldAndTheOrderOfArrivalDoesNotMatter() {
        List<BridgeRecord> records = new ArrayList<>();
        for (int t = 1; t <= 200; t++) {
            records.add(record(t, 100 + (t * 37 % 101), t % 7));
        }
        AccumulatorMerge merge = new AccumulatorMerge("w", 1, FIELDS);
        WindowAccumulator inOrder = merge.createAccumulator();
        for (BridgeRecord r : records) {
            inOrder = merge.add(r, inOrder);
        }
        // open = price at t=1 (137), close = price at t=200 (100 + 7400 % 101 = 127), high 200, low 100.
        assertArrayEquals(new double[] {200, 100, records.stream().mapToDouble(r -> r.accumulators[1].numbers[2]).sum(), 200},
                inOrder.numbers);
        assertEquals("137.0", new String(inOrder.values[0], StandardCharsets.UTF_8));
        assertEquals("127.0", new String(inOrder.values[1], StandardCharsets.UTF_8));

        Collections.shuffle(records, new Random(7));
        WindowAccumulator left = merge.createAccumulator();
        WindowAccumulator right = merge.createAccumulator();
        for (int i = 0; i < records.size(); i++) {
            if (i % 2 == 0) {
                left = merge.add(records.get(i), left);
            } else {
                right = merge.add(records.get(i), right);
            }
        }
        WindowAccumulator shuffled = merge.merge(left, right);
        assertArrayEquals(inOrder.numbers, shuffled.numbers);
        assertArrayEquals(inOrder.values, shuffled.values);
        assertTrue(merge.merge(merge.createAccumulator(), merge.createAccumulator()).empty());
    }

    @Test
    void aRecordWithoutItsAccumulatorIsRefusedLoudly() {
        AccumulatorMerge merge = new AccumulatorMerge("w", 2, FIELDS);
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> merge.add(record(1, 1, 1), merge.createAccumulator()));
        assertEquals("record in/0/1 reached window 'w' without its accumulator (worker and descriptor disagree)",
                error.getMessage());
    }
}
