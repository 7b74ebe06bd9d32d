package dev.ticker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class TickLogicTest {

    @Test
    void validTickBecomesTheTicksRow() {
        TickLogic.Parsed parsed = TickLogic.parse(
                "{\"id\":\"7-1\",\"symbol\":\"AAPL\",\"price\":187.25,\"volume\":300,\"ts\":\"2026-01-05T14:30:00.125Z\"}");
        assertNull(parsed.reason());
        assertEquals("{\"id\":\"7-1\",\"symbol\":\"AAPL\",\"price\":187.25,\"volume\":300,\"ts\":\"2026-01-05 14:30:00\",\"ts_ms\":125}",
                TickLogic.tickRowJson(parsed.row()));
    }

    @Test
    void badInputIsRejectedWithTheReason() {
        assertEquals("price: price must be > 0", TickLogic.parse(
                "{\"id\":\"7-1\",\"symbol\":\"AAPL\",\"price\":-1,\"volume\":300,\"ts\":\"2026-01-05T14:30:00.125Z\"}").reason());
        assertEquals("ts: ts must be a real calendar time", TickLogic.parse(
                "{\"id\":\"7-1\",\"symbol\":\"AAPL\",\"price\":1,\"volume\":300,\"ts\":\"2026-13-05T14:30:00.125Z\"}").reason());
        assertEquals("volume: volume must be an integer", TickLogic.parse(
                "{\"id\":\"7-1\",\"symbol\":\"AAPL\",\"price\":1,\"volume\":1.5,\"ts\":\"2026-01-05T14:30:00.125Z\"}").reason());
        assertEquals("invalid JSON", TickLogic.parse("{\"id\":").reason().substring(0, 12));
    }

    @Test
    void candleIsComputedInEventTimeOrder() {
        List<TickRow> rows = List.of(
                new TickRow("b", "AAPL", 12.0, 100, 2_000),
                new TickRow("a", "AAPL", 10.0, 300, 1_000),
                new TickRow("c", "AAPL", 11.0, 0, 3_000));
        TickLogic.Candle candle = TickLogic.candle("AAPL", 0, rows);
        assertEquals("{\"symbol\":\"AAPL\",\"window_start\":\"1970-01-01 00:00:00\",\"open\":10.0,\"high\":12.0,"
                + "\"low\":10.0,\"close\":11.0,\"volume\":400,\"vwap\":10.5,\"ticks\":3}", candle.json());
        assertEquals("{\"symbol\":\"AAPL\",\"window_start\":\"1970-01-01 00:00:00\",\"direction\":\"up\","
                + "\"move_pct\":10.0,\"open\":10.0,\"close\":11.0,\"threshold_pct\":0.2}", candle.alertJson(0.2));
    }
}
