package dev.ticker.bridge;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Right after the source: a record too far ahead of the clock is refused, to side output
 * {@link #REFUSED} with its reason (naming its time and the tolerance); the worker makes its dead
 * letter ({@link RefusedRecordFunction}). Every other record goes on, an unreadable time included
 * (the pipeline's first step rejects it with its own reason). Counts both.
 */
final class SourceGate extends ProcessFunction<TimedRecord, TimedRecord> {
    /** Records refused here, each with its {@code aheadReason}. */
    static final OutputTag<TimedRecord> REFUSED =
            new OutputTag<>("source-refused", TypeInformation.of(TimedRecord.class));

    private transient Counter ahead;
    private transient Counter unreadable;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        ahead = getRuntimeContext().getMetricGroup().counter("eventTimeAhead");
        unreadable = getRuntimeContext().getMetricGroup().counter("eventTimeUnreadable");
    }

    @Override
    public void processElement(TimedRecord record, Context context, Collector<TimedRecord> out) {
        if (record.status == TimedRecord.AHEAD) {
            ahead.inc();
            // Its timestamp is the Kafka timestamp: the refused future time stays out of every table's clock.
            context.output(REFUSED, record);
            return;
        }
        if (record.status == TimedRecord.UNREADABLE) {
            unreadable.inc();
        }
        out.collect(record);
    }
}
