/** Where the local stack keeps everything, and which ports it uses, derived from the one config module. */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '@ticker/common';

/** The repository root (scripts/stack/ is two levels below it). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface StackLayout {
  /** Absolute stack directory; every process of the stack has it in its command line. */
  root: string;
  logs: string;
  pids: string;
  /** Downloads kept between runs (wheel files); Maven jars are cached in ~/.m2. */
  cache: string;
  clickhouse: { etc: string; data: string; httpPort: number; nativePort: number; url: string };
  kafka: { home: string; libs: string; data: string; brokerHost: string; brokerPort: number; controllerPort: number };
  flink: {
    home: string;
    conf: string;
    lib: string;
    checkpoints: string;
    savepoints: string;
    tmp: string;
    restHost: string;
    restPort: number;
    rpcPort: number;
    taskSlots: number;
    url: string;
  };
}

function portOf(url: string, fallback: number): number {
  const port = new URL(url).port;
  return port === '' ? fallback : Number(port);
}

/** Computes the stack layout; a relative STACK_DIR is taken relative to the repository root. */
export function stackLayout(config: Config): StackLayout {
  const root = isAbsolute(config.stack.dir) ? config.stack.dir : resolve(repoRoot, config.stack.dir);
  const [brokerHost = 'localhost', brokerPort = '9092'] = (config.kafka.brokers[0] ?? 'localhost:9092').split(':');
  return {
    root,
    logs: join(root, 'logs'),
    pids: join(root, 'run'),
    cache: join(root, 'cache'),
    clickhouse: {
      etc: join(root, 'clickhouse', 'etc'),
      data: join(root, 'clickhouse', 'data'),
      httpPort: portOf(config.clickhouse.url, 8123),
      nativePort: config.stack.clickhouseNativePort,
      url: config.clickhouse.url,
    },
    kafka: {
      home: join(root, 'kafka'),
      libs: join(root, 'kafka', 'libs'),
      data: join(root, 'kafka', 'data'),
      brokerHost,
      brokerPort: Number(brokerPort),
      controllerPort: config.stack.kafkaControllerPort,
    },
    flink: {
      home: join(root, 'flink'),
      conf: join(root, 'flink', 'conf'),
      lib: join(root, 'flink', 'lib'),
      checkpoints: join(root, 'flink', 'checkpoints'),
      savepoints: join(root, 'flink', 'savepoints'),
      tmp: join(root, 'flink', 'tmp'),
      restHost: '127.0.0.1',
      restPort: portOf(config.flink.url, 8081),
      rpcPort: config.stack.flinkRpcPort,
      taskSlots: config.stack.flinkTaskSlots,
      url: config.flink.url,
    },
  };
}
