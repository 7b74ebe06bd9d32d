package dev.ticker.bridge;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * A ClickHouse table sink. Each record's value is one JSON object whose keys are the table's
 * columns. Rows are buffered and inserted when the buffer reaches the batch size, when the oldest
 * row has waited {@code flushMs}, and on every checkpoint ({@link SinkWriter#flush} runs before
 * the barrier), so a checkpoint completes only once its rows are in ClickHouse: at-least-once
 * delivery into an idempotent ReplacingMergeTree, i.e. exactly-once query results.
 */
public class ClickHouseSink implements Sink<BridgeRecord> {

    private final ClickHouseSettings settings;

    public ClickHouseSink(ClickHouseSettings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<BridgeRecord> createWriter(WriterInitContext context) {
        return new Writer(settings, context.getProcessingTimeService(), context.metricGroup());
    }

    /** Buffers rows and inserts them in batches; runs on the task thread (timers via the mailbox). */
    static final class Writer implements SinkWriter<BridgeRecord> {
        private final ClickHouseSettings settings;
        private final ProcessingTimeService time;
        private final ClickHouseInserter inserter;
        private final Counter rowsWritten;
        private final Counter inserts;
        private final Histogram insertLatencyMs;
        private List<byte[]> buffer = new ArrayList<>();
        private long oldestBufferedAt;
        private boolean timerPending;

        /** @param time null disables the timer-based flush (tests drive flushes by size and flush()) */
        Writer(ClickHouseSettings settings, ProcessingTimeService time, SinkWriterMetricGroup metrics) {
            this.settings = settings;
            this.time = time;
            Counter retries = metrics.counter("clickhouseInsertRetries");
            this.inserter = new ClickHouseInserter(settings, retry -> retries.inc());
            this.rowsWritten = metrics.counter("clickhouseRowsWritten");
            this.inserts = metrics.counter("clickhouseInserts");
            this.insertLatencyMs = metrics.histogram("clickhouseInsertLatencyMs", new DescriptiveStatisticsHistogram(1024));
        }

        @Override
        public void write(BridgeRecord record, Context context) throws IOException, InterruptedException {
            if (buffer.isEmpty()) {
                oldestBufferedAt = now();
                scheduleFlush(oldestBufferedAt + settings.flushMs());
            }
            buffer.add(record.value);
            if (buffer.size() >= settings.batchSize()) {
                insertBuffer();
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            insertBuffer();
        }

        /** Rows waiting for the next insert. */
        int buffered() {
            return buffer.size();
        }

        private void insertBuffer() throws IOException, InterruptedException {
            if (buffer.isEmpty()) {
                return;
            }
            List<byte[]> rows = buffer;
            long start = System.nanoTime();
            inserter.insert(rows);
            insertLatencyMs.update((System.nanoTime() - start) / 1_000_000);
            inserts.inc();
            rowsWritten.inc(rows.size());
            buffer = new ArrayList<>();
        }

        /** At most one timer is pending; it flushes a buffer whose oldest row is old enough, else re-arms. */
        private void scheduleFlush(long at) {
            if (time == null || timerPending) {
                return;
            }
            timerPending = true;
            time.registerTimer(at, timestamp -> {
                timerPending = false;
                if (buffer.isEmpty()) {
                    return;
                }
                long due = oldestBufferedAt + settings.flushMs();
                if (now() >= due) {
                    insertBuffer();
                } else {
                    scheduleFlush(due);
                }
            });
        }

        private long now() {
            return time != null ? time.getCurrentProcessingTime() : System.currentTimeMillis();
        }

        @Override
        public void close() {
            // Unflushed rows are not lost: they were written after the last checkpoint, so a restore replays them.
            buffer.clear();
        }
    }
}
