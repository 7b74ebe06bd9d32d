import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { clickhouseServerConfig } from './components/clickhouse';
import { kafkaServerProperties } from './components/kafka';
import { stackLayout } from './layout';

const layout = stackLayout(
  loadConfig({
    STACK_DIR: '/s',
    KAFKA_BROKERS: 'localhost:19092',
    KAFKA_CONTROLLER_PORT: '19093',
    CLICKHOUSE_URL: 'http://localhost:18123',
    CLICKHOUSE_NATIVE_PORT: '19000',
    FLINK_URL: 'http://localhost:18081',
    FLINK_RPC_PORT: '16123',
    FLINK_TASK_SLOTS: '3',
  }),
);

function properties(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

describe('stackLayout', () => {
  it('takes every port from the config module', () => {
    expect(layout.clickhouse.httpPort).toBe(18123);
    expect(layout.clickhouse.nativePort).toBe(19000);
    expect(layout.kafka.brokerPort).toBe(19092);
    expect(layout.kafka.controllerPort).toBe(19093);
    expect(layout.flink.restPort).toBe(18081);
    expect(layout.flink.rpcPort).toBe(16123);
    expect(layout.flink.taskSlots).toBe(3);
    expect(layout.logs).toBe('/s/logs');
  });
});

describe('kafkaServerProperties', () => {
  const props = properties(kafkaServerProperties(layout));

  it('is a single KRaft node on loopback with a separate controller listener', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:19093');
    expect(props.get('log.dirs')).toBe('/s/kafka/data');
  });

  it('lets internal topics, including the transaction state log, live on one replica', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'share.coordinator.state.topic.replication.factor',
      'share.coordinator.state.topic.min.isr',
      'min.insync.replicas',
    ]) {
      expect(props.get(key), key).toBe('1');
    }
  });
});

describe('clickhouseServerConfig', () => {
  it('listens on loopback only, on the configured ports, with data and logs under the stack dir', () => {
    const xml = clickhouseServerConfig(layout);
    expect(xml).toContain('<listen_host>127.0.0.1</listen_host>');
    expect(xml).toContain('<http_port>18123</http_port>');
    expect(xml).toContain('<tcp_port>19000</tcp_port>');
    expect(xml).toContain('<path>/s/clickhouse/data/</path>');
    expect(xml).toContain('<log>/s/logs/clickhouse-server.log</log>');
    expect(xml).not.toContain('interserver_http_port');
  });
});
