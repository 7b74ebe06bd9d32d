/**
 * The bridge's knobs are defined once per language: BRIDGE_KNOBS (TypeScript) and BridgeArgs.java.
 * This checks that the two (and the README's table) name the same program arguments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BRIDGE_KNOBS, bridgeProgramArgs } from '../src/bridge-args';
import { buildProgram } from '../src/cli';
import { REPO_ROOT } from '../src/paths';

/** Arguments every deploy passes (where to connect), besides the tuning knobs. */
const CONNECTION_ARGS = [
  'clickhouse-database',
  'clickhouse-password',
  'clickhouse-url',
  'clickhouse-user',
  'descriptor-base64',
  'kafka-brokers',
  'parallelism',
  'worker',
];

/** The argument names in BridgeArgs.java's KNOWN set. */
function javaArguments(): string[] {
  const source = readFileSync(join(REPO_ROOT, 'flink/bridge/src/main/java/dev/ticker/bridge/BridgeArgs.java'), 'utf8');
  const known = /Set<String> KNOWN = Set\.of\(([^)]*)\)/.exec(source);
  if (!known?.[1]) throw new Error('BridgeArgs.java has no KNOWN = Set.of(...)');
  return [...known[1].matchAll(/"([a-z0-9-]+)"/g)].map((m) => m[1]!).sort();
}

describe('bridge knobs', () => {
  it('TypeScript and BridgeArgs.java know the same program arguments', () => {
    const typescript = [...BRIDGE_KNOBS.map((k) => k.flag.slice(2)), ...CONNECTION_ARGS].sort();
    expect(typescript).toEqual(javaArguments());
  });

  it('the bridge README documents every knob', () => {
    const readme = readFileSync(join(REPO_ROOT, 'flink/bridge/README.md'), 'utf8');
    const missing = BRIDGE_KNOBS.filter((k) => !readme.includes(`\`${k.flag}\``)).map((k) => k.flag);
    expect(missing).toEqual([]);
  });

  it('every knob is a deploy option and reaches the program arguments', () => {
    const deploy = buildProgram().commands.find((c) => c.name() === 'deploy')!;
    const options = deploy.options.map((o) => o.long);
    expect(BRIDGE_KNOBS.filter((k) => !options.includes(k.flag)).map((k) => k.flag)).toEqual([]);
    const args = bridgeProgramArgs({
      descriptorJson: '{}',
      workerAddress: 'w:1',
      kafkaBrokers: ['k:1'],
      clickhouse: { url: 'http://c:1', database: 'd', user: 'u', password: '' },
      maxRequestBytes: 4096,
      poisonRestarts: 0,
    });
    expect(args.slice(-4)).toEqual(['--max-request-bytes', '4096', '--poison-restarts', '0']);
  });
});
