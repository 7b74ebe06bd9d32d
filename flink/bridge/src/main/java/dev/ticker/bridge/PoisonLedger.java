package dev.ticker.bridge;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a poison input from an outage across restarts. A worker call that fails for good with an
 * error that says "this input" (INTERNAL, UNKNOWN, RESOURCE_EXHAUSTED, INVALID_ARGUMENT,
 * OUT_OF_RANGE, DATA_LOSS, or a protocol violation) is written here, keyed by the input's
 * fingerprint, with the error and the task attempt number, before the job fails. Flink restores the
 * last checkpoint, so the same input comes again; if it fails the same way in more than
 * {@code poisonRestarts} attempts it becomes a dead letter and the job carries on.
 *
 * <p>Why a file and not Flink state: state is restored from the checkpoint taken before the
 * failure, so anything recorded when the input fails is lost with the restart. The attempt number
 * survives but grows with every restart (outages too), so alone it cannot say which input failed.
 * The ledger is one small file per operator subtask in the checkpoint directory (shared by every
 * Flink process), under the job id: a redeployed job starts a new ledger. If the file cannot be
 * read or written the input simply takes more restarts: never fewer.
 *
 * <p>Outages (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ...) and configuration errors (NOT_FOUND,
 * UNIMPLEMENTED, ...) are never written: they fail every input alike and keep the unbounded
 * restart-with-backoff, so an outage can never empty the stream into the dead letter.
 */
final class PoisonLedger {

    private static final Logger LOG = LoggerFactory.getLogger(PoisonLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Entries kept per subtask: only inputs that failed and have not been seen again are left over. */
    private static final int MAX_ENTRIES = 100;
    private static final Set<Status.Code> INPUT_ERRORS = EnumSet.of(
            Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.RESOURCE_EXHAUSTED, Status.Code.INVALID_ARGUMENT,
            Status.Code.OUT_OF_RANGE, Status.Code.DATA_LOSS);

    /** One input's failures: the error text and in how many distinct attempts it failed that way. */
    public static final class Entry {
        public String error;
        public int attempts;
        public int lastAttempt;

        /** For Jackson. */
        public Entry() {}

        Entry(String error, int attempts, int lastAttempt) {
            this.error = error;
            this.attempts = attempts;
            this.lastAttempt = lastAttempt;
        }
    }

    private final Path file;
    private final int attempt;
    private final int poisonRestarts;
    private final Map<String, Entry> entries;

    private PoisonLedger(Path file, int attempt, int poisonRestarts, Map<String, Entry> entries) {
        this.file = file;
        this.attempt = attempt;
        this.poisonRestarts = poisonRestarts;
        this.entries = entries;
    }

    /** The ledger of one operator subtask in {@code directory}, as the last attempt left it. */
    static PoisonLedger open(String directory, String jobId, String step, int subtask, int attempt, int poisonRestarts) {
        Path file = directory == null ? null
                : new Path(new Path(new Path(directory, "poison-ledger"), jobId), step + "-" + subtask + ".json");
        return new PoisonLedger(file, attempt, poisonRestarts, read(file));
    }

    /** A ledger that remembers nothing across restarts (tests of other things). */
    static PoisonLedger inMemory(int poisonRestarts) {
        return new PoisonLedger(null, 0, poisonRestarts, new LinkedHashMap<>());
    }

    /** True for an error that belongs to the input (see the class comment), not to an outage. */
    static boolean isInputError(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof StatusRuntimeException sre) {
                return INPUT_ERRORS.contains(sre.getStatus().getCode());
            }
            if (cause instanceof ProtocolViolation) {
                return true;
            }
        }
        return false;
    }

    /** The error as compared between attempts: status code and description, or the violation. */
    static String describe(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof StatusRuntimeException sre) {
                Status status = sre.getStatus();
                return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
            }
            if (cause instanceof ProtocolViolation) {
                return cause.getMessage();
            }
        }
        return String.valueOf(error);
    }

    /** SHA-256 (hex) of the parts, each length-prefixed so that no two inputs share one. */
    static String fingerprint(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(Integer.toString(part.length).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) ':');
                digest.update(part);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /**
     * Records that the input {@code fingerprint} failed with {@code error} in this attempt. Returns
     * the dead-letter reason when it has now failed that way in more than poisonRestarts attempts
     * (the caller then dead-letters it and calls {@link #succeeded} once the dead letter is made), or
     * null when the caller should fail the job (retry after a restart); the record is written first,
     * so the next attempt knows. The entry stays until the dead letter is made: if making it fails,
     * the input's next failure after the restart is a dead letter at once.
     */
    synchronized String failed(String fingerprint, String error) {
        Entry previous = entries.get(fingerprint);
        int attempts = 1;
        if (previous != null && previous.error.equals(error)) {
            attempts = previous.lastAttempt == attempt ? previous.attempts : previous.attempts + 1;
        }
        entries.remove(fingerprint); // re-insert: the map's order is oldest first
        entries.put(fingerprint, new Entry(error, attempts, attempt));
        while (entries.size() > MAX_ENTRIES) {
            entries.remove(entries.keySet().iterator().next());
        }
        write();
        if (attempts > poisonRestarts) {
            return "poison: failed the same way in " + attempts + " attempt" + (attempts == 1 ? "" : "s") + " ("
                    + (attempts - 1) + " restart" + (attempts == 2 ? "" : "s") + ", --poison-restarts " + poisonRestarts
                    + "): " + error;
        }
        return null;
    }

    /** True when some input is remembered (only then is a success worth a fingerprint). */
    synchronized boolean remembers() {
        return !entries.isEmpty();
    }

    /** Forgets an input that went through (it was only unlucky) or became a dead letter. */
    synchronized void succeeded(String fingerprint) {
        if (entries.remove(fingerprint) != null) {
            write();
        }
    }

    private void write() {
        if (file == null) {
            return;
        }
        try {
            FileSystem fs = file.getFileSystem();
            fs.mkdirs(file.getParent());
            try (OutputStream out = fs.create(file, FileSystem.WriteMode.OVERWRITE)) {
                out.write(JSON.writeValueAsBytes(entries));
            }
        } catch (IOException e) {
            LOG.warn("could not write the poison ledger {} ({}); a poison input will take more restarts", file, e.toString());
        }
    }

    private static Map<String, Entry> read(Path file) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        if (file == null) {
            return entries;
        }
        try {
            FileSystem fs = file.getFileSystem();
            if (!fs.exists(file)) {
                return entries;
            }
            try (InputStream in = fs.open(file)) {
                Map<String, Entry> read = JSON.readValue(in, new TypeReference<LinkedHashMap<String, Entry>>() {});
                List<Map.Entry<String, Entry>> sorted = new ArrayList<>(read.entrySet());
                sorted.sort(Comparator.comparingInt(e -> e.getValue().lastAttempt));
                sorted.forEach(e -> entries.put(e.getKey(), e.getValue()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not read the poison ledger {} ({}); starting an empty one", file, e.toString());
        }
        return entries;
    }

    /** A worker answer that breaks the protocol: it is about this input, so it counts like INTERNAL. */
    static final class ProtocolViolation extends WorkerCallException {
        ProtocolViolation(String message) {
            super(message);
        }
    }
}
