#!/usr/bin/env python3
"""Where a Flink TaskManager's CPU goes, from a JFR recording (docs/benchmarks.md, "Windows as accumulators").

Reads `jfr print --events jdk.ExecutionSample --stack-depth 64 <file.jfr>` on stdin and prints, as
Markdown, the share of samples per component of the bridge job (each sample goes to the innermost
frame that names a component; a checkpoint snapshot's whole stack counts as the snapshot) and the
hottest frames by self time. Record with:

    jcmd <TaskManager pid> JFR.start name=bench settings=profile filename=/tmp/tm.jfr
    ... run the benchmark ...
    jcmd <TaskManager pid> JFR.stop name=bench
    jfr print --events jdk.ExecutionSample --stack-depth 64 /tmp/tm.jfr | python3 scripts/bench/jfr-breakdown.py
"""
import collections
import re
import sys

SNAPSHOT = re.compile(r"SnapshotStrategy|AsyncSnapshotCallable|writeStateInKeyGroup")
# Innermost match wins, so a component's callees (e.g. Flink serializers under a snapshot) count for it.
COMPONENTS = [
    ("worker calls: protobuf, gRPC, Netty (HTTP/2)", r"^io\.grpc|netty|com\.google\.protobuf|bridge\.grpc\.|WorkerClient|Retrier"),
    ("async operator and batching (per-record timeout timers, mailbox, batcher)", r"AsyncWaitOperator|WorkerBatcher|BatchingWorkerFunction|EmissionSplitter"),
    ("window accumulators (merge, fire)", r"AccumulatorMerge|WindowOperator|FiredAccumulator"),
    ("sinks (ClickHouse HTTP, Kafka dead-letter producer)", r"ClickHouse|KafkaWriter|kafka\.clients\.producer|java\.net\.http"),
    ("Flink network shuffles (serialize, deserialize, buffers)", r"RecordWriter|SpanningWrapper|StreamElementSerializer|io\.network|RecordDeserializer"),
    ("chained operators copying records (object reuse off)", r"CopyingChainingOutput|PojoSerializer\.copy"),
    ("event time and id read from the JSON value (Jackson tree, regex, java.time)", r"EventTimeReader\."),
    ("dedupe state get/put (a key's id map is copied once per checkpoint)", r"Deduplicator\.|HeapMapState|CopyOnWriteStateMap"),
    ("Kafka source (fetch, decode)", r"org\.apache\.kafka|connector\.kafka|SourceReaderBase"),
]
FRAME = re.compile(r"^\s+([\w.$<>]+)\(.*?\)\s+line:", re.M)


def main() -> None:
    samples = sys.stdin.read().split("jdk.ExecutionSample {")[1:]
    by_component: collections.Counter[str] = collections.Counter()
    by_frame: collections.Counter[str] = collections.Counter()
    for sample in samples:
        frames = FRAME.findall(sample)
        if not frames:
            continue
        by_frame[frames[0]] += 1
        if SNAPSHOT.search("\n".join(frames)):
            by_component["checkpoint snapshots (heap backend: every dedupe id held, at every checkpoint)"] += 1
            continue
        for frame in frames:
            hit = next((name for name, pattern in COMPONENTS if re.search(pattern, frame)), None)
            if hit:
                by_component[hit] += 1
                break
        else:
            by_component["other (Flink runtime: timers, metrics, mailbox, JVM)"] += 1
    total = sum(by_component.values())
    if total == 0:
        sys.exit("no jdk.ExecutionSample events on stdin")
    print(f"{total} samples\n\n| share | component |\n| ---: | --- |")
    for name, count in by_component.most_common():
        print(f"| {100 * count / total:.1f} % | {name} |")
    print("\n| share | hottest frames (self) |\n| ---: | --- |")
    for name, count in by_frame.most_common(15):
        print(f"| {100 * count / total:.1f} % | `{name}` |")


if __name__ == "__main__":
    main()
