"""The stock pipeline as a PyFlink DataStream job (the benchmark's PyFlink side): the logic runs
as Python functions (PyFlink process mode, the default); the Kafka source and the ClickHouse sink
are the same Java classes the native Java job uses (bench/native-java), so only the logic's
runtime differs. Submitted by scripts/bench/compare.ts with `flink run -py`."""
import argparse
import json

from pyflink.common import Duration, Types, WatermarkStrategy
from pyflink.common.serialization import SimpleStringSchema
from pyflink.common.time import Time
from pyflink.datastream import CheckpointingMode, OutputTag, StreamExecutionEnvironment
from pyflink.datastream.connectors import Sink, Source
from pyflink.datastream.connectors.base import DeliveryGuarantee
from pyflink.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink
from pyflink.datastream.functions import ProcessFunction, ProcessWindowFunction
from pyflink.datastream.window import TumblingEventTimeWindows
from pyflink.java_gateway import get_gateway

import stock_logic

TICK_TYPE = Types.TUPLE([Types.STRING(), Types.STRING(), Types.DOUBLE(), Types.LONG(), Types.LONG()])
DEAD_LETTERS = OutputTag('dead-letters', Types.STRING())
# Pickled: OutputTag's pickling keeps the Java objects of a composite type's fields (PyFlink 2.2).
LATE = OutputTag('late')


class ParseTick(ProcessFunction):
    """parse-tick: raw "origin<TAB>value" -> tick tuple; bad input -> dead-letter row."""

    def process_element(self, value, ctx):
        origin, raw = value.split('\t', 1)
        tick, reason = stock_logic.parse_tick(raw)
        if tick is not None:
            yield tick
        else:
            yield DEAD_LETTERS, stock_logic.dead_letter_json(
                origin, stock_logic.PARSE_STEP, reason, raw, ctx.timestamp() or 0)


class CandleWindow(ProcessWindowFunction):
    def process(self, key, context, elements):
        yield stock_logic.candle_json(stock_logic.candle(key, context.window().start, list(elements)))


def main():
    parser = argparse.ArgumentParser(description='stock pipeline in PyFlink')
    parser.add_argument('--kafka-brokers', default='localhost:9092')
    parser.add_argument('--topic', default='stock-ticks')
    parser.add_argument('--dlq-topic', default='stock-ticks-dlq')
    parser.add_argument('--group-id', default='pyflink-stock-bench')
    parser.add_argument('--clickhouse-url', default='http://localhost:8123')
    parser.add_argument('--clickhouse-database', default='stocks')
    parser.add_argument('--parallelism', type=int, default=2)
    parser.add_argument('--checkpoint-interval-ms', type=int, default=5000)
    parser.add_argument('--sink-batch-size', type=int, default=5000)
    parser.add_argument('--sink-flush-ms', type=int, default=1000)
    parser.add_argument('--job-name', default='pyflink-stock-bench')
    parser.add_argument('--jars', required=True, help='comma-separated file:// URLs of the helper + Kafka connector jars')
    args = parser.parse_args()

    env = StreamExecutionEnvironment.get_execution_environment()
    env.add_jars(*args.jars.split(','))
    env.set_parallelism(args.parallelism)
    env.enable_checkpointing(args.checkpoint_interval_ms, CheckpointingMode.EXACTLY_ONCE)
    jvm = get_gateway().jvm

    def clickhouse(table):
        return Sink(jvm.dev.ticker.bench.ClickHouseJsonSink(
            args.clickhouse_url, args.clickhouse_database, table, args.sink_batch_size, args.sink_flush_ms))

    source = Source(jvm.dev.ticker.bench.OriginTaggedKafka.source(args.kafka_brokers, args.topic, args.group_id))
    watermarks = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(2)) \
        .with_idleness(Duration.of_seconds(10))
    raw = env.from_source(source, watermarks, 'read-ticks', type_info=Types.STRING()).uid('read-ticks')

    ticks = raw.process(ParseTick(), output_type=TICK_TYPE).uid('parse-tick').name('parse-tick')
    ticks.map(stock_logic.tick_row_json, output_type=Types.STRING()).uid('to-tick-row').name('to-tick-row') \
        .sink_to(clickhouse('ticks')).uid('write-ticks').name('write-ticks')

    candles = ticks.key_by(lambda t: t[1], key_type=Types.STRING()) \
        .window(TumblingEventTimeWindows.of(Time.minutes(1))) \
        .allowed_lateness(0) \
        .side_output_late_data(LATE) \
        .process(CandleWindow(), output_type=Types.STRING()).uid('candles-1m').name('candles-1m')
    candles.sink_to(clickhouse('candles_1m')).uid('write-candles').name('write-candles')
    candles.flat_map(lambda c: stock_logic.price_move_alerts(json.loads(c)), output_type=Types.STRING()) \
        .uid('price-move-alerts').name('price-move-alerts') \
        .sink_to(clickhouse('alerts')).uid('write-alerts').name('write-alerts')

    late = candles.get_side_output(LATE).map(
        lambda t: stock_logic.dead_letter_json(
            f'late/{t[0]}', 'candles-1m', f'late: event time {t[4]} is behind watermark for window node candles-1m',
            stock_logic.tick_row_json(t), t[4]),
        output_type=Types.STRING()).uid('candles-1m-late')
    dead_letters = ticks.get_side_output(DEAD_LETTERS).union(late)
    dead_letters.sink_to(clickhouse('rejected')).uid('dead-letter-0').name('dead-letter-0')
    dlq = KafkaSink.builder() \
        .set_bootstrap_servers(args.kafka_brokers) \
        .set_record_serializer(KafkaRecordSerializationSchema.builder()
                               .set_topic(args.dlq_topic)
                               .set_value_serialization_schema(SimpleStringSchema())
                               .build()) \
        .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE) \
        .set_transactional_id_prefix(f'{args.job_name}-dlq') \
        .set_property('transaction.timeout.ms', '600000') \
        .build()
    dead_letters.sink_to(dlq).uid('dead-letter-1').name('dead-letter-1')

    env.execute_async(args.job_name)


if __name__ == '__main__':
    main()
