"""Plots of the side-by-side benchmark (scripts/bench/compare.ts writes the JSON):
  compare-throughput.png  ticks/s per engine (median) and the bridge's batch-size / in-flight sweep
  compare-latency.png     end-to-end latency percentiles per engine at the fixed rate
usage: python bench/plot_compare.py <compare-results.json> <output dir>"""
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

TITLES = {'bridge': 'ours\n(TS worker via bridge)', 'java': 'native Java', 'pyflink': 'PyFlink'}
COLORS = {'bridge': '#1f77b4', 'java': '#2ca02c', 'pyflink': '#d62728'}


def main(results_path, out_dir):
    with open(results_path) as f:
        results = json.load(f)
    meta = results['meta']
    written = []

    throughput = results.get('throughput', [])
    sweep = results.get('sweep', [])
    if throughput or sweep:
        fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
        engines = [e for e in TITLES if any(r['engine'] == e for r in throughput)]
        ax = axes[0]
        if engines:
            medians = [statistics.median(r['ticksPerSecond'] for r in throughput if r['engine'] == e) for e in engines]
            bars = ax.bar([TITLES[e] for e in engines], medians, color=[COLORS[e] for e in engines])
            for e in engines:
                runs = [r['ticksPerSecond'] for r in throughput if r['engine'] == e]
                ax.scatter([TITLES[e]] * len(runs), runs, color='black', s=12, zorder=3)
            ax.bar_label(bars, labels=[f'{m:,.0f}' for m in medians])
        ax.set_ylabel('ticks/s (first read -> last row visible)')
        ax.set_title(f'Throughput, {meta["ticks"]:,} ticks (median, dots = runs)', fontsize=10)
        default_processes = max((r['knobs'].get('workerProcesses') or 0 for r in sweep), default=0)
        by_batch = sorted((r for r in sweep if 'batchSize' in r['knobs'] and r['knobs'].get('batchSize')),
                          key=lambda r: r['knobs']['batchSize'])
        by_flight = sorted((r for r in sweep if r['knobs'].get('maxInFlight')), key=lambda r: r['knobs']['maxInFlight'])
        for ax, points, knob, xlabel, log in [
            (axes[1], by_batch, 'batchSize', 'bridge --batch-size (records per worker call; in flight 4)', True),
            (axes[2], by_flight, 'maxInFlight', 'bridge --max-in-flight (calls per subtask; batch 500)', False),
        ]:
            if points:
                xs = [r['knobs'][knob] for r in points]
                ax.plot(xs, [r['ticksPerSecond'] for r in points], marker='o', color=COLORS['bridge'], label='ticks/s')
                ax.set_xticks(xs, [str(x) for x in xs])
                if log:
                    ax.set_xscale('log')
                    ax.set_xticks(xs, [str(x) for x in xs])
                    ax.xaxis.set_minor_formatter(NullFormatter())
                cpu = ax.twinx()
                cpu.plot(xs, [r['cpuSecondsPer100k'] for r in points], marker='s', linestyle='--', color='grey',
                         label='CPU s / 100k ticks')
                cpu.set_ylabel('CPU s per 100k ticks', color='grey')
                cpu.set_ylim(bottom=0)
            ax.set_ylim(bottom=0)
            ax.set_xlabel(xlabel)
            ax.set_ylabel('ticks/s')
            loads = [x for r in points for x in r['load']]
            load = f', load avg {min(loads):.0f}-{max(loads):.0f}' if loads else ''
            ax.set_title(f'Bridge sweep ({default_processes} worker processes{load})', fontsize=10)
        fig.tight_layout()
        path = os.path.join(out_dir, 'compare-throughput.png')
        fig.savefig(path, dpi=110)
        written.append(path)

    latency = results.get('latency', [])
    if latency:
        engines = [e for e in TITLES if any(r['engine'] == e for r in latency)]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        width = 0.25
        for i, pct in enumerate(['p50', 'p90', 'p99']):
            values = [statistics.median(r[pct] for r in latency if r['engine'] == e) for e in engines]
            bars = ax.bar([k + (i - 1) * width for k in range(len(engines))], values, width, label=pct)
            ax.bar_label(bars, labels=[f'{v:,.0f}' for v in values], fontsize=8)
        ax.axhline(500, color='grey', linestyle='--', linewidth=1, label='target p99 500 ms')
        ax.set_xticks(range(len(engines)), [TITLES[e] for e in engines])
        ax.set_ylabel('ms, produce -> visible in ClickHouse')
        ax.set_title(f'End-to-end latency at {latency[0]["rate"]:,} ticks/s (median of runs)')
        ax.legend()
        fig.tight_layout()
        path = os.path.join(out_dir, 'compare-latency.png')
        fig.savefig(path, dpi=110)
        written.append(path)

    for path in written:
        print(f'plot: {path}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
