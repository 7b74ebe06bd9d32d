import { describe, expect, it } from 'vitest';
import { flinkClasspath } from './components/flink';
import {
  defaultTaskManagerMemory,
  type FlinkClusterSettings,
  flinkConfigYaml,
  flinkJava17Options,
  taskManagerJvmOptions,
} from './flink-config';

const settings: FlinkClusterSettings = {
  restAddress: '127.0.0.1',
  restPort: 8081,
  rpcPort: 6123,
  taskSlots: 4,
  checkpointsDir: '/s/flink/checkpoints',
  savepointsDir: '/s/flink/savepoints',
  tmpDir: '/s/flink/tmp',
  webUploadDir: '/s/flink/web-upload',
  memory: defaultTaskManagerMemory,
};

function parse(yaml: string): Map<string, string> {
  const entries = yaml
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const at = l.indexOf(': ');
      return [l.slice(0, at), l.slice(at + 2)] as [string, string];
    });
  return new Map(entries);
}

describe('flinkConfigYaml', () => {
  const config = parse(flinkConfigYaml(settings));

  it('sets every TaskManager resource key that TaskManagerRunner needs without Flink scripts', () => {
    expect(config.get('taskmanager.cpu.cores')).toBe('4');
    expect(config.get('taskmanager.numberOfTaskSlots')).toBe('4');
    expect(config.get('taskmanager.memory.task.heap.size')).toBe('768m');
    expect(config.get('taskmanager.memory.task.off-heap.size')).toBe('256m');
    expect(config.get('taskmanager.memory.network.min')).toBe('128m');
    expect(config.get('taskmanager.memory.network.max')).toBe('128m');
    expect(config.get('taskmanager.memory.managed.size')).toBe('256m');
  });

  it('binds REST to loopback on the configured port and uses file:// checkpoint and savepoint dirs', () => {
    expect(config.get('rest.port')).toBe('8081');
    expect(config.get('rest.bind-address')).toBe('127.0.0.1');
    expect(config.get('jobmanager.rpc.port')).toBe('6123');
    expect(config.get('execution.checkpointing.dir')).toBe('file:///s/flink/checkpoints');
    expect(config.get('execution.checkpointing.savepoint-dir')).toBe('file:///s/flink/savepoints');
  });

  it('detects a killed TaskManager within seconds (short heartbeats)', () => {
    expect(config.get('heartbeat.interval')).toBe('2000');
    expect(config.get('heartbeat.timeout')).toBe('20000');
  });

  it('quotes the Java 17 options string, which contains spaces', () => {
    expect(config.get('env.java.opts.all')).toBe(JSON.stringify(flinkJava17Options.join(' ')));
    expect(flinkJava17Options).toContain('--add-opens=java.base/java.util=ALL-UNNAMED');
  });

  it('writes each key once', () => {
    const keys = flinkConfigYaml(settings)
      .split('\n')
      .filter((l) => l.includes(': ') && !l.startsWith('#'))
      .map((l) => l.split(': ')[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('taskManagerJvmOptions', () => {
  it('derives heap, direct and metaspace limits from the configured memory', () => {
    expect(taskManagerJvmOptions(defaultTaskManagerMemory)).toEqual([
      '-Xmx896m',
      '-Xms896m',
      '-XX:MaxDirectMemorySize=512m',
      '-XX:MaxMetaspaceSize=640m',
    ]);
  });
});

describe('flinkClasspath', () => {
  it('sorts the lib jars and puts flink-dist last, as Flink config.sh does', () => {
    expect(flinkClasspath(['flink-dist-2.2.1.jar', 'log4j-api.jar', 'README.txt', 'flink-json.jar'], '/l')).toBe(
      '/l/flink-json.jar:/l/log4j-api.jar:/l/flink-dist-2.2.1.jar',
    );
  });
});
