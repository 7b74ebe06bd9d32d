package dev.ticker.bridge;

/** A worker call failed for good (retries exhausted, or an error retrying cannot fix). Fails the job. */
public class WorkerCallException extends RuntimeException {
    public WorkerCallException(String message, Throwable cause) {
        super(message, cause);
    }

    public WorkerCallException(String message) {
        super(message);
    }
}
