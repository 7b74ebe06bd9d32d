package dev.ticker.bridge;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/** Runs an asynchronous gRPC call with bounded retries and exponential backoff, without blocking a thread. */
final class Retrier {

    /** Codes that mean "this call will never work": retrying only delays the loud failure. */
    private static final Set<Status.Code> NOT_RETRYABLE = EnumSet.of(
            Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT, Status.Code.UNIMPLEMENTED,
            Status.Code.FAILED_PRECONDITION, Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED,
            Status.Code.OUT_OF_RANGE);

    private Retrier() {}

    /**
     * Calls {@code attempt} until it succeeds, a non-retryable error occurs, or the policy's retries
     * are used up; the returned future then fails with a {@link WorkerCallException} naming
     * {@code what}, the attempt count and the last error. {@code onRetry} gets the retry number.
     */
    static <T> CompletableFuture<T> call(
            String what, Supplier<CompletableFuture<T>> attempt, RetryPolicy policy,
            ScheduledExecutorService scheduler, IntConsumer onRetry) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(what, attempt, policy, scheduler, onRetry, 1, result);
        return result;
    }

    private static <T> void attempt(
            String what, Supplier<CompletableFuture<T>> attempt, RetryPolicy policy,
            ScheduledExecutorService scheduler, IntConsumer onRetry, int number, CompletableFuture<T> result) {
        CompletableFuture<T> call;
        try {
            call = attempt.get();
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            Throwable cause = unwrap(error);
            boolean retryable = !(cause instanceof StatusRuntimeException sre && NOT_RETRYABLE.contains(sre.getStatus().getCode()));
            if (!retryable || number > policy.retries()) {
                String why = retryable ? "failed after " + number + " attempts" : "failed (not retryable)";
                result.completeExceptionally(new WorkerCallException(what + " " + why + ": " + cause, cause));
                return;
            }
            onRetry.accept(number);
            try {
                scheduler.schedule(
                        () -> attempt(what, attempt, policy, scheduler, onRetry, number + 1, result),
                        policy.backoffMs(number), TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                // The scheduler is shut down: the operator is closing.
                result.completeExceptionally(new WorkerCallException(what + " abandoned: the operator is closing", cause));
            }
        });
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
