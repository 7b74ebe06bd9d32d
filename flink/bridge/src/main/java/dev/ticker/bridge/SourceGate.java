package dev.ticker.bridge;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Right after the source: a record too far ahead of the clock becomes a dead letter (step = the source
 * name, reason naming its time and the tolerance); every other record goes on, an unreadable time
 * included (the pipeline's first step rejects it with its own reason). Counts both.
 */
final class SourceGate extends ProcessFunction<TimedRecord, TimedRecord> {
    static final OutputTag<BridgeRecord> DEAD_LETTERS =
            new OutputTag<>("source-dead-letters", TypeInformation.of(BridgeRecord.class));

    private final String sourceName;
    private transient Counter ahead;
    private transient Counter unreadable;

    SourceGate(String sourceName) {
        this.sourceName = sourceName;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        ahead = getRuntimeContext().getMetricGroup().counter("eventTimeAhead");
        unreadable = getRuntimeContext().getMetricGroup().counter("eventTimeUnreadable");
    }

    @Override
    public void processElement(TimedRecord record, Context context, Collector<TimedRecord> out) {
        if (record.status == TimedRecord.AHEAD) {
            ahead.inc();
            // The row's ts is the Kafka timestamp: the refused future time stays out of every table's clock.
            byte[] row = DeadLetterRow.json(record.origin, sourceName, record.aheadReason,
                    DeadLetterRow.raw(record.value == null ? new byte[0] : record.value), record.timestamp);
            context.output(DEAD_LETTERS, new BridgeRecord(row, record.key, record.timestamp, record.origin));
            return;
        }
        if (record.status == TimedRecord.UNREADABLE) {
            unreadable.inc();
        }
        out.collect(record);
    }
}
