package dev.ticker.bridge;

/** The descriptor is unusable: bad JSON, unsupported version, schema violation or bad reference. */
public class DescriptorException extends IllegalArgumentException {
    public DescriptorException(String message) {
        super(message);
    }

    public DescriptorException(String message, Throwable cause) {
        super(message, cause);
    }
}
