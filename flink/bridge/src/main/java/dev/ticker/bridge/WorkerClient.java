package dev.ticker.bridge;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.ticker.bridge.grpc.DescribeRequest;
import dev.ticker.bridge.grpc.DescribeResponse;
import dev.ticker.bridge.grpc.ProcessRequest;
import dev.ticker.bridge.grpc.ProcessResponse;
import dev.ticker.bridge.grpc.WorkerGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The gRPC channel to the TypeScript worker: Process (chains, finishes, late records) and the Describe check. */
public final class WorkerClient implements AutoCloseable {

    /** Max gRPC message size on both sides (runtime contract). */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final String target;
    private final ManagedChannel channel;
    private final WorkerGrpc.WorkerFutureStub stub;

    private WorkerClient(String target) {
        this.target = target;
        this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
        this.stub = WorkerGrpc.newFutureStub(channel).withMaxOutboundMessageSize(MAX_MESSAGE_BYTES);
    }

    /** Opens a channel to {@code host:port} (connects lazily, on the first call). */
    public static WorkerClient connect(String target) {
        return new WorkerClient(target);
    }

    /** The worker's address, for messages. */
    public String target() {
        return target;
    }

    /** One Process attempt with a deadline. */
    public CompletableFuture<ProcessResponse> process(ProcessRequest request, long timeoutMs) {
        return toCompletable(stub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS).process(request));
    }

    /**
     * Checks that the worker runs the pipeline this job was built from: its descriptor SHA-256 must
     * be one of {@code acceptedSha256} (see {@link Descriptor#acceptedSha256}). Waits up to {@code timeoutMs} for a worker that is still starting.
     * Throws IllegalStateException with the reason (unreachable, or which two hashes differ).
     */
    public void checkDescriptor(List<String> acceptedSha256, long timeoutMs) {
        DescribeResponse response;
        try {
            response = WorkerGrpc.newBlockingStub(channel)
                    .withWaitForReady()
                    .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                    .describe(DescribeRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("worker at " + target + " did not answer Describe within " + timeoutMs
                    + " ms (" + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": "
                    + e.getStatus().getDescription()) + "); is it running?", e);
        }
        if (!acceptedSha256.contains(response.getDescriptorSha256())) {
            throw new IllegalStateException("worker at " + target + " runs a different pipeline: its descriptor sha256 is "
                    + response.getDescriptorSha256() + ", this job was deployed with " + acceptedSha256.get(0)
                    + "; redeploy the job with the worker's descriptor (pipeline describe) or restart the worker");
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(T value) {
                result.complete(value);
            }

            @Override
            public void onFailure(Throwable error) {
                result.completeExceptionally(error);
            }
        }, MoreExecutors.directExecutor());
        return result;
    }
}
