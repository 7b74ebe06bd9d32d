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

TITLES = {'bridge': 'ours (TS worker via bridge)', 'java': 'native Java', 'pyflink': 'PyFlink'}
COLORS = {'bridge': '#1f77b4', 'java': '#2ca02c', 'pyflink': '#d62728'}


def main(results_path, out_dir):
    with open(results_path) as f:
        results = json.load(f)
    meta = results['meta']
    written = []

    throughput = results.get('throughput', [])
    sweep = results.get('sweep', [])
    if throughput or sweep:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
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
        ax.set_title(f'Throughput, {meta["ticks"]:,} ticks (median, dots = runs)')
        ax = axes[1]
        by_batch = sorted((r for r in sweep if r['knobs'].get('maxInFlight') is None and r['knobs'].get('batchSize')),
                          key=lambda r: r['knobs']['batchSize'])
        by_flight = sorted((r for r in sweep if r['knobs'].get('maxInFlight') is not None),
                           key=lambda r: r['knobs']['maxInFlight'])
        if by_batch:
            ax.plot([r['knobs']['batchSize'] for r in by_batch], [r['ticksPerSecond'] for r in by_batch],
                    marker='o', label='batch size (max in flight 4)')
            ax.set_xscale('log')
            ax.set_xlabel('bridge --batch-size (records per worker call)')
        if by_flight:
            ax2 = ax.twiny()
            ax2.plot([r['knobs']['maxInFlight'] for r in by_flight], [r['ticksPerSecond'] for r in by_flight],
                     marker='s', color='#ff7f0e', label='max in flight (batch 500)')
            ax2.set_xlabel('bridge --max-in-flight', color='#ff7f0e')
            ax2.legend(loc='lower right')
        if by_batch:
            ax.legend(loc='lower left')
        ax.set_ylabel('ticks/s')
        ax.set_title('Bridge knob sweep (ours)')
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
