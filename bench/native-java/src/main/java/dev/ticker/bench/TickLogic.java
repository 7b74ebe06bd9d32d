package dev.ticker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stock pipeline's logic in plain Java, rule for rule the same as pipeline/src/stock/logic.ts
 * and the shared zod tick schema (common/src/tick.ts): parse + validate a raw tick, the `ticks`
 * row, the 1-minute candle (OHLC, volume, VWAP in event-time order) and the price-move alert.
 */
public final class TickLogic {

    /** Same as ALERT_THRESHOLD_PCT in stockPipeline.ts. */
    public static final double ALERT_THRESHOLD_PCT = 0.2;
    /** The step name the TS pipeline reports for parse/validation failures. */
    public static final String PARSE_STEP = "parse-tick";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SYMBOL = Pattern.compile("^[A-Z][A-Z0-9.]{0,9}$");
    private static final Pattern TS = Pattern.compile("^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{3})Z$");
    private static final DateTimeFormatter CLICKHOUSE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private TickLogic() {}

    /** A parsed tick or the reason it is not one (exactly one of the two is set). */
    public record Parsed(TickRow row, String reason) {}

    /** Parses and validates one raw Kafka value. Never throws. */
    public static Parsed parse(String raw) {
        JsonNode node;
        try {
            node = JSON.readTree(raw);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new Parsed(null, "invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new Parsed(null, "value: Invalid input: expected object");
        }
        List<String> problems = new ArrayList<>();
        JsonNode id = node.get("id");
        if (id == null || !id.isTextual()) {
            problems.add("id: Invalid input: expected string");
        } else if (id.textValue().isEmpty()) {
            problems.add("id: id must be a non-empty string");
        } else if (id.textValue().length() > 128) {
            problems.add("id: id must be at most 128 characters");
        }
        JsonNode symbol = node.get("symbol");
        if (symbol == null || !symbol.isTextual()) {
            problems.add("symbol: Invalid input: expected string");
        } else if (!SYMBOL.matcher(symbol.textValue()).matches()) {
            problems.add("symbol: symbol must be an upper-case ticker (A-Z, 0-9, \".\", max 10)");
        }
        JsonNode price = node.get("price");
        if (price == null || !price.isNumber()) {
            problems.add("price: Invalid input: expected number");
        } else if (!(price.doubleValue() > 0)) {
            problems.add("price: price must be > 0");
        }
        JsonNode volume = node.get("volume");
        if (volume == null || !volume.isNumber()) {
            problems.add("volume: Invalid input: expected number");
        } else if (volume.doubleValue() != Math.rint(volume.doubleValue())) {
            problems.add("volume: volume must be an integer");
        } else if (volume.doubleValue() < 0) {
            problems.add("volume: volume must be >= 0");
        }
        JsonNode ts = node.get("ts");
        long tsMillis = 0;
        if (ts == null || !ts.isTextual()) {
            problems.add("ts: Invalid input: expected string");
        } else {
            Matcher m = TS.matcher(ts.textValue());
            if (!m.matches()) {
                problems.add("ts: ts must be ISO-8601 UTC with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)");
            } else {
                try {
                    int hour = Integer.parseInt(m.group(4));
                    int minute = Integer.parseInt(m.group(5));
                    int second = Integer.parseInt(m.group(6));
                    if (hour > 23 || minute > 59 || second > 59) {
                        throw new DateTimeException("time out of range");
                    }
                    LocalDate date = LocalDate.of(
                            Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
                    tsMillis = date.toEpochSecond(java.time.LocalTime.of(hour, minute, second), ZoneOffset.UTC) * 1000
                            + Integer.parseInt(m.group(7));
                } catch (DateTimeException e) {
                    problems.add("ts: ts must be a real calendar time");
                }
            }
        }
        if (!problems.isEmpty()) {
            return new Parsed(null, String.join("; ", problems));
        }
        return new Parsed(new TickRow(id.textValue(), symbol.textValue(), price.doubleValue(),
                (long) volume.doubleValue(), tsMillis), null);
    }

    /** Epoch ms as ClickHouse DateTime text in UTC (milliseconds dropped; before 1970 -> 1970). */
    public static String clickHouseTime(long epochMs) {
        return CLICKHOUSE_TIME.format(java.time.Instant.ofEpochMilli(Math.max(0, epochMs)));
    }

    /** The `ticks` row JSON (columns id, symbol, price, volume, ts, ts_ms). */
    public static String tickRowJson(TickRow row) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", row.id);
        out.put("symbol", row.symbol);
        out.put("price", row.price);
        out.put("volume", row.volume);
        out.put("ts", clickHouseTime(row.tsMillis));
        out.put("ts_ms", (int) Math.floorMod(row.tsMillis, 1000L));
        return out.toString();
    }

    /** The dead-letter row JSON (origin, step, reason, raw, ts). */
    public static String deadLetterJson(String origin, String step, String reason, String raw, long eventTimeMs) {
        ObjectNode out = JSON.createObjectNode();
        out.put("origin", origin);
        out.put("step", step);
        out.put("reason", reason);
        out.put("raw", raw);
        out.put("ts", clickHouseTime(eventTimeMs));
        return out.toString();
    }

    /** Event-time order of ticks: (ts, id), as compareTickRows in logic.ts. */
    public static final Comparator<TickRow> EVENT_TIME_ORDER =
            Comparator.<TickRow>comparingLong(r -> r.tsMillis).thenComparing(r -> r.id);

    /** The candle of one symbol's window; see computeCandle in logic.ts. */
    public static Candle candle(String symbol, long windowStartMs, List<TickRow> rows) {
        List<TickRow> sorted = new ArrayList<>(rows);
        sorted.sort(EVENT_TIME_ORDER);
        TickRow first = sorted.get(0);
        double high = first.price;
        double low = first.price;
        long volume = 0;
        double notional = 0;
        double priceSum = 0;
        for (TickRow row : sorted) {
            high = Math.max(high, row.price);
            low = Math.min(low, row.price);
            volume += row.volume;
            notional += row.price * row.volume;
            priceSum += row.price;
        }
        double vwap = volume > 0 ? notional / volume : priceSum / sorted.size();
        return new Candle(symbol, windowStartMs, first.price, high, low, sorted.get(sorted.size() - 1).price,
                volume, vwap, sorted.size());
    }

    /** One `candles_1m` row. */
    public record Candle(String symbol, long windowStartMs, double open, double high, double low, double close,
            long volume, double vwap, int ticks) {

        /** The row JSON (columns of candles_1m). */
        public String json() {
            ObjectNode out = JSON.createObjectNode();
            out.put("symbol", symbol);
            out.put("window_start", clickHouseTime(windowStartMs));
            out.put("open", open);
            out.put("high", high);
            out.put("low", low);
            out.put("close", close);
            out.put("volume", volume);
            out.put("vwap", vwap);
            out.put("ticks", ticks);
            return out.toString();
        }

        /** The `alerts` row JSON when the candle moved at least the threshold, else null. */
        public String alertJson(double thresholdPct) {
            double movePct = (close - open) / open * 100;
            if (Math.abs(movePct) < thresholdPct) {
                return null;
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("symbol", symbol);
            out.put("window_start", clickHouseTime(windowStartMs));
            out.put("direction", close >= open ? "up" : "down");
            out.put("move_pct", movePct);
            out.put("open", open);
            out.put("close", close);
            out.put("threshold_pct", thresholdPct);
            return out.toString();
        }
    }
}
