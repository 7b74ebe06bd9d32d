"""The stock pipeline's logic as plain Python functions, rule for rule the same as
pipeline/src/stock/logic.ts and the shared zod tick schema (common/src/tick.ts)."""
import calendar
import json
import re
import time
from typing import List, Optional, Tuple

ALERT_THRESHOLD_PCT = 0.2
PARSE_STEP = 'parse-tick'

_SYMBOL = re.compile(r'^[A-Z][A-Z0-9.]{0,9}$')
_TS = re.compile(r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$')

# (id, symbol, price, volume, ts epoch ms)
Tick = Tuple[str, str, float, int, int]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_tick(raw: str) -> Tuple[Optional[Tick], Optional[str]]:
    """Parses and validates one raw Kafka value: (tick, None) or (None, reason). Never raises."""
    try:
        data = json.loads(raw)
    except ValueError as err:
        return None, f'invalid JSON: {err}'
    if not isinstance(data, dict):
        return None, 'value: Invalid input: expected object'
    problems = []
    tick_id = data.get('id')
    if not isinstance(tick_id, str):
        problems.append('id: Invalid input: expected string')
    elif len(tick_id) == 0:
        problems.append('id: id must be a non-empty string')
    elif len(tick_id) > 128:
        problems.append('id: id must be at most 128 characters')
    symbol = data.get('symbol')
    if not isinstance(symbol, str):
        problems.append('symbol: Invalid input: expected string')
    elif not _SYMBOL.match(symbol):
        problems.append('symbol: symbol must be an upper-case ticker (A-Z, 0-9, ".", max 10)')
    price = data.get('price')
    if not _is_number(price):
        problems.append('price: Invalid input: expected number')
    elif not price > 0:
        problems.append('price: price must be > 0')
    volume = data.get('volume')
    if not _is_number(volume):
        problems.append('volume: Invalid input: expected number')
    elif float(volume) != int(volume):
        problems.append('volume: volume must be an integer')
    elif volume < 0:
        problems.append('volume: volume must be >= 0')
    ts = data.get('ts')
    ts_ms = 0
    if not isinstance(ts, str):
        problems.append('ts: Invalid input: expected string')
    else:
        m = _TS.match(ts)
        if not m:
            problems.append('ts: ts must be ISO-8601 UTC with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)')
        else:
            y, mo, d, h, mi, s, ms = (int(g) for g in m.groups())
            try:
                if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1] and h < 24 and mi < 60 and s < 60):
                    raise ValueError('out of range')
                ts_ms = calendar.timegm((y, mo, d, h, mi, s)) * 1000 + ms
            except ValueError:
                problems.append('ts: ts must be a real calendar time')
    if problems:
        return None, '; '.join(problems)
    return (tick_id, symbol, float(price), int(volume), ts_ms), None


def clickhouse_time(epoch_ms: int) -> str:
    """Epoch ms as ClickHouse DateTime text in UTC (milliseconds dropped)."""
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(max(0, epoch_ms) // 1000))


def _dumps(row: dict) -> str:
    return json.dumps(row, separators=(',', ':'))


def tick_row_json(tick: Tick) -> str:
    """The `ticks` row JSON."""
    tick_id, symbol, price, volume, ts_ms = tick
    return _dumps({'id': tick_id, 'symbol': symbol, 'price': price, 'volume': volume,
                   'ts': clickhouse_time(ts_ms), 'ts_ms': ts_ms % 1000})


def dead_letter_json(origin: str, step: str, reason: str, raw: str, event_time_ms: int) -> str:
    """The dead-letter row JSON (origin, step, reason, raw, ts)."""
    return _dumps({'origin': origin, 'step': step, 'reason': reason, 'raw': raw,
                   'ts': clickhouse_time(event_time_ms)})


def candle(symbol: str, window_start_ms: int, ticks: List[Tick]) -> dict:
    """The 1-minute candle in event-time order (ts, id); see computeCandle in logic.ts."""
    ordered = sorted(ticks, key=lambda t: (t[4], t[0]))
    high = low = ordered[0][2]
    volume = 0
    notional = 0.0
    price_sum = 0.0
    for _, _, price, vol, _ in ordered:
        high = max(high, price)
        low = min(low, price)
        volume += vol
        notional += price * vol
        price_sum += price
    return {'symbol': symbol, 'window_start': clickhouse_time(window_start_ms), 'open': ordered[0][2],
            'high': high, 'low': low, 'close': ordered[-1][2], 'volume': volume,
            'vwap': notional / volume if volume > 0 else price_sum / len(ordered), 'ticks': len(ordered)}


def candle_json(row: dict) -> str:
    return _dumps(row)


def price_move_alerts(candle_row: dict, threshold_pct: float = ALERT_THRESHOLD_PCT) -> List[str]:
    """The `alerts` rows (0 or 1) of a candle; see priceMoveAlerts in logic.ts."""
    move_pct = (candle_row['close'] - candle_row['open']) / candle_row['open'] * 100
    if abs(move_pct) < threshold_pct:
        return []
    return [_dumps({'symbol': candle_row['symbol'], 'window_start': candle_row['window_start'],
                    'direction': 'up' if candle_row['close'] >= candle_row['open'] else 'down',
                    'move_pct': move_pct, 'open': candle_row['open'], 'close': candle_row['close'],
                    'threshold_pct': threshold_pct})]
