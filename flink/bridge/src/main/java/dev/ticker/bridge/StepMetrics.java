package dev.ticker.bridge;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Per-operator metrics of worker calls, registered on the operator's metric group so they show in
 * the Flink UI and REST API (e.g. {@code <operator>.workerCallLatencyMs}).
 */
final class StepMetrics {
    private static final int HISTOGRAM_WINDOW = 1024;

    final Counter recordsSent;
    final Counter outputs;
    final Counter rejections;
    final Counter calls;
    final Counter callRetries;
    final Counter callFailures;
    final Histogram batchSize;
    final Histogram callLatencyMs;
    /** Inputs that could not fit in one request under --max-request-bytes (sent to the dead letter). */
    final Counter oversizedInputs;
    /** Inputs that failed the same way after --poison-restarts restarts (sent to the dead letter). */
    final Counter poisonInputs;
    private final MetricGroup group;
    private final AtomicInteger maxRequestBytes = new AtomicInteger();

    StepMetrics(MetricGroup group) {
        recordsSent = group.counter("workerRecordsSent");
        outputs = group.counter("workerOutputs");
        rejections = group.counter("workerRejections");
        calls = group.counter("workerCalls");
        callRetries = group.counter("workerCallRetries");
        callFailures = group.counter("workerCallFailures");
        batchSize = group.histogram("workerBatchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        callLatencyMs = group.histogram("workerCallLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        oversizedInputs = group.counter("workerOversizedInputs");
        poisonInputs = group.counter("workerPoisonInputs");
        this.group = group;
        gauge("workerMaxRequestBytes", maxRequestBytes::get);
    }

    /** Notes the serialized size of a request about to be sent (the gauge shows the largest so far). */
    void requestSent(int bytes) {
        maxRequestBytes.accumulateAndGet(bytes, Math::max);
    }

    /** The largest request sent so far, in bytes. */
    int maxRequestBytes() {
        return maxRequestBytes.get();
    }

    /** Registers a gauge (e.g. calls in flight) read from the function. */
    void gauge(String name, IntSupplier value) {
        group.gauge(name, (Gauge<Integer>) value::getAsInt);
    }
}
