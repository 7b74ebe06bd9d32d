import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.kafka).toEqual({
      brokers: ['localhost:9092'],
      ticksTopic: 'stock-ticks',
      dlqTopic: 'stock-ticks-dlq',
    });
    expect(config.clickhouse.url).toBe('http://localhost:8123');
    expect(config.clickhouse.database).toBe('stocks');
    expect(config.flink.url).toBe('http://localhost:8081');
    expect(config.worker).toEqual({ port: 50051, address: 'localhost:50051', processes: 0 });
    expect(config.dashboard.port).toBe(3000);
  });

  it('reads and normalises values', () => {
    const config = loadConfig({ KAFKA_BROKERS: ' a:1, b:2 ,', FLINK_URL: 'http://jm:8081/', DASHBOARD_PORT: '8080' });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.flink.url).toBe('http://jm:8081');
    expect(config.dashboard.port).toBe(8080);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ CLICKHOUSE_DATABASE: '' }).clickhouse.database).toBe('stocks');
  });

  it.each([
    ['DASHBOARD_PORT', 'abc', 'must be a port number'],
    ['DASHBOARD_PORT', '70000', 'must be a port between 1 and 65535'],
    ['KAFKA_BROKERS', 'localhost', 'must be host:port'],
    ['CLICKHOUSE_URL', 'ftp://x', 'must start with http:// or https://'],
    ['CLICKHOUSE_DATABASE', 'stocks; DROP', 'must be a plain identifier'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
  ])('rejects %s=%s naming the variable', (variable, value, expected) => {
    let caught: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems.map((p) => p.variable)).toEqual([variable]);
    expect(error.message).toContain(`${variable}=${JSON.stringify(value)}`);
    expect(error.message).toContain(expected);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ DASHBOARD_PORT: '0', WORKER_PORT: 'x' })).toThrow(
      /DASHBOARD_PORT[\s\S]*WORKER_PORT|WORKER_PORT[\s\S]*DASHBOARD_PORT/,
    );
  });
});
