package dev.ticker.bridge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Posts rows to ClickHouse as {@code INSERT INTO <table> FORMAT JSONEachRow} over plain HTTP (the
 * Java client needs a newer server than 18.16). The database goes in {@code ?database=} because
 * 18.16 ignores the X-ClickHouse-Database header. Failed inserts are retried with backoff; when
 * retries are exhausted it throws, which fails the job (and Flink restores from the last checkpoint).
 */
final class ClickHouseInserter {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final ClickHouseSettings settings;
    private final HttpClient http;
    private final URI insertUri;
    private final String authorization;
    private final IntConsumer onRetry;

    /** @param onRetry called with the retry number before each retry (for metrics and tests) */
    ClickHouseInserter(ClickHouseSettings settings, IntConsumer onRetry) {
        this.settings = settings;
        this.onRetry = onRetry;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String query = "INSERT INTO `" + settings.table() + "` FORMAT JSONEachRow";
        String base = settings.url().endsWith("/") ? settings.url() : settings.url() + "/";
        this.insertUri = URI.create(base + "?database=" + encode(settings.database()) + "&query=" + encode(query));
        String credentials = settings.user() + ":" + settings.password();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /** Inserts {@code rows} (each one JSON object) in one request; retries, then throws IOException. */
    void insert(List<byte[]> rows) throws IOException, InterruptedException {
        if (rows.isEmpty()) {
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(rows.size() * 128);
        for (byte[] row : rows) {
            body.write(row);
            body.write('\n');
        }
        byte[] payload = body.toByteArray();
        String lastError = null;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(insertUri)
                                .timeout(REQUEST_TIMEOUT)
                                .header("Authorization", authorization)
                                .header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastError = "HTTP " + response.statusCode() + ": " + response.body().strip();
            } catch (IOException e) {
                lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (attempt > settings.retry().retries()) {
                throw new IOException("ClickHouse insert of " + rows.size() + " rows into " + settings.database() + "."
                        + settings.table() + " at " + settings.url() + " failed after " + attempt + " attempts; last error: "
                        + lastError);
            }
            onRetry.accept(attempt);
            Thread.sleep(settings.retry().backoffMs(attempt));
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
