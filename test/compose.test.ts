/**
 * Checks compose.yaml with the real compose tooling (`docker compose config`, which needs no
 * engine) and lints the Dockerfiles. The compose plugin comes from scripts/install-compose-plugin.sh.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { configVariables } from '@ticker/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isPinnedImage, lintDockerfile } from './dockerfile-lint';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');

/** `docker compose` if the docker CLI has the plugin, else the plugin binary run standalone. */
async function composeCommand(): Promise<string[]> {
  try {
    await run('docker', ['compose', 'version']);
    return ['docker', 'compose'];
  } catch {
    const plugin = join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'cli-plugins', 'docker-compose');
    if (existsSync(plugin)) return [plugin];
    throw new Error(
      'docker compose is not installed: run scripts/install-compose-plugin.sh (builds it from the Go proxy)',
    );
  }
}

const portSchema = z.object({
  target: z.number(),
  published: z.string().optional(),
  host_ip: z.string().optional(),
  protocol: z.string().optional(),
});
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  restart: z.string().optional(),
  container_name: z.string().optional(),
  profiles: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string().nullable()).optional(),
  ports: z.array(portSchema).optional(),
  volumes: z
    .array(
      z.object({
        type: z.string(),
        source: z.string().optional(),
        target: z.string(),
        read_only: z.boolean().optional(),
      }),
    )
    .optional(),
  healthcheck: z.object({ test: z.array(z.string()).optional(), disable: z.boolean().optional() }).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  command: z.array(z.string()).nullable().optional(),
});
type Service = z.infer<typeof serviceSchema>;
const projectSchema = z.object({ name: z.string(), services: z.record(z.string(), serviceSchema) });

/** Variables the third-party images document and read themselves. */
const imageVariables: { image: RegExp; allowed: (name: string) => boolean }[] = [
  { image: /^apache\/kafka:/, allowed: (n) => n.startsWith('KAFKA_') || n === 'CLUSTER_ID' },
  {
    image: /^clickhouse\/clickhouse-server:/,
    allowed: (n) =>
      [
        'CLICKHOUSE_SKIP_USER_SETUP',
        'CLICKHOUSE_DB',
        'CLICKHOUSE_USER',
        'CLICKHOUSE_PASSWORD',
        'CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT',
      ].includes(n),
  },
  {
    image: /^stock-ticker\/flink:/,
    allowed: (n) => ['FLINK_PROPERTIES', 'JOB_MANAGER_RPC_ADDRESS', 'ENABLE_BUILT_IN_PLUGINS'].includes(n),
  },
];

const isOneShot = (s: Service) => s.restart === 'no';
const hasHealthcheck = (s: Service) =>
  s.healthcheck?.disable !== true && (s.healthcheck?.test?.length ?? 0) > 0 && s.healthcheck?.test?.[0] !== 'NONE';

describe('compose.yaml (docker compose config)', () => {
  let services: Record<string, Service>;
  let defaultServices: string[];

  beforeAll(async () => {
    const [command, ...prefix] = await composeCommand();
    // A clean environment: the defaults in compose.yaml are what is checked, not this shell's settings.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? homedir() };
    const full = await run(
      command!,
      [...prefix, '-f', join(ROOT, 'compose.yaml'), '--profile', 'chaos', 'config', '--format', 'json'],
      { env, cwd: ROOT },
    );
    services = projectSchema.parse(JSON.parse(full.stdout)).services;
    const names = await run(command!, [...prefix, '-f', join(ROOT, 'compose.yaml'), 'config', '--services'], {
      env,
      cwd: ROOT,
    });
    defaultServices = names.stdout.trim().split('\n').sort();
  }, 60_000);

  it('has the demo services; chaos only in its profile', () => {
    expect(defaultServices).toEqual([
      'clickhouse',
      'dashboard',
      'deployer',
      'jobmanager',
      'kafka',
      'kafka-init',
      'migrate',
      'producer',
      'taskmanager',
      'worker',
    ]);
    expect(services.chaos?.profiles).toEqual(['chaos']);
  });

  it('gives every long-running service a healthcheck; one-shots are adopted with service_completed_successfully', () => {
    for (const [name, service] of Object.entries(services)) {
      if (isOneShot(service)) {
        const adopters = Object.entries(services).filter(
          ([other, s]) =>
            other !== name &&
            !isOneShot(s) &&
            s.profiles === undefined &&
            s.depends_on?.[name]?.condition === 'service_completed_successfully',
        );
        expect(
          adopters.map(([n]) => n),
          `one-shot ${name} must be awaited by a long-running service`,
        ).not.toEqual([]);
        expect(hasHealthcheck(service), `one-shot ${name} needs no healthcheck`).toBe(false);
      } else {
        expect(hasHealthcheck(service), `${name} needs a healthcheck`).toBe(true);
        expect(service.restart, `${name} restart policy`).toBe('unless-stopped');
      }
    }
    expect(
      Object.entries(services)
        .filter(([, s]) => isOneShot(s))
        .map(([n]) => n)
        .sort(),
    ).toEqual(['deployer', 'kafka-init', 'migrate']);
  });

  it('orders start-up only by health or completion (no service_started, no sleeps)', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const expected = isOneShot(services[dependency]!) ? 'service_completed_successfully' : 'service_healthy';
        expect(`${name} -> ${dependency}: ${condition}`).toBe(`${name} -> ${dependency}: ${expected}`);
      }
      expect(service.command?.join(' ') ?? '', `${name} command`).not.toMatch(/(^|[;&|]\s*)sleep\s/);
    }
    expect(Object.keys(services.deployer?.depends_on ?? {}).sort()).toEqual([
      'jobmanager',
      'kafka-init',
      'migrate',
      'taskmanager',
      'worker',
    ]);
  });

  it('pins every image tag; built images use the repository Dockerfiles', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, `${name} image`).toBeDefined();
      expect(isPinnedImage(service.image!), `${name} image ${service.image} is pinned`).toBe(true);
    }
    const builds = Object.fromEntries(
      Object.entries(services)
        .filter(([, s]) => s.build)
        .map(([n, s]) => [n, `${s.image} <- ${s.build?.dockerfile}`]),
    );
    for (const [name, built] of Object.entries(builds)) {
      expect(built, name).toMatch(/^stock-ticker\/(node:0\.1\.0 <- Dockerfile|flink:0\.1\.0 <- flink\/Dockerfile)$/);
    }
    expect(services.kafka?.image).toMatch(/^apache\/kafka:4\.\d+\.\d+$/);
    expect(services.clickhouse?.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+/);
  });

  it('passes only configVariables to our services, plus what the images document', () => {
    const known = new Set(configVariables);
    for (const [name, service] of Object.entries(services)) {
      const image = service.image ?? '';
      const allowImage = imageVariables.find((v) => v.image.test(image))?.allowed ?? (() => false);
      const unknown = Object.keys(service.environment ?? {}).filter((v) => !known.has(v) && !allowImage(v));
      expect(unknown, `${name} receives variables no config reads`).toEqual([]);
    }
  });

  it('wires the services to each other by the DESIGN.md ports', () => {
    const env = (name: string) => services[name]?.environment ?? {};
    for (const name of ['migrate', 'worker', 'deployer', 'producer', 'dashboard']) {
      expect(env(name).KAFKA_BROKERS, name).toBe('kafka:9092');
      expect(env(name).CLICKHOUSE_URL, name).toBe('http://clickhouse:8123');
      expect(env(name).TICKS_TOPIC, name).toBe('stock-ticks');
      expect(env(name).DLQ_TOPIC, name).toBe('stock-ticks-dlq');
    }
    expect(env('kafka').KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    expect(env('worker').WORKER_PORT).toBe('50051');
    expect(env('deployer').WORKER_ADDRESS).toBe('worker:50051');
    expect(env('deployer').FLINK_URL).toBe('http://jobmanager:8081');
    expect(env('dashboard').DASHBOARD_PORT).toBe('3000');
    expect(env('dashboard').DASHBOARD_HOST).toBe('0.0.0.0');
  });

  it('publishes only the UIs, on 127.0.0.1: ClickHouse 8123, Flink 8081, dashboard 3000', () => {
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p.host_ip}:${p.published}->${p.target}/${p.protocol}`),
    );
    expect(published.sort()).toEqual([
      'clickhouse 127.0.0.1:8123->8123/tcp',
      'dashboard 127.0.0.1:3000->3000/tcp',
      'jobmanager 127.0.0.1:8081->8081/tcp',
    ]);
  });

  it('lets TaskManagers scale: no fixed name, no host port, shared state volume', () => {
    expect(services.taskmanager?.container_name).toBeUndefined();
    expect(services.taskmanager?.ports ?? []).toEqual([]);
    for (const name of ['jobmanager', 'taskmanager']) {
      expect(
        services[name]?.volumes?.find((v) => v.target === '/flink-state'),
        `${name} mounts flink-state`,
      ).toMatchObject({ type: 'volume', source: 'flink-state' });
    }
    for (const [name, service] of Object.entries(services)) {
      expect(service.container_name, `${name} container_name`).toBeUndefined();
    }
    // The deployer resumes from retained checkpoints: it sees the same paths Flink wrote, read-only.
    expect(services.deployer?.volumes?.find((v) => v.target === '/flink-state')).toMatchObject({
      type: 'volume',
      source: 'flink-state',
      read_only: true,
    });
    const deploy = services.deployer?.command?.join(' ') ?? '';
    expect(deploy).toContain('deploy --jar /opt/bridge/ticker-bridge.jar --no-build --from-latest-savepoint');
    expect(deploy).toContain('--checkpoints-dir /flink-state/checkpoints --if-not-running');
  });
});

describe('Flink image config', () => {
  it('puts checkpoints and savepoints on the flink-state volume', async () => {
    const config = await readFile(join(ROOT, 'flink/conf/config.yaml'), 'utf8');
    const value = (key: string) => new RegExp(`^${key.replaceAll('.', '\\.')}: (.+)$`, 'm').exec(config)?.[1];
    expect(value('execution.checkpointing.dir')).toBe('file:///flink-state/checkpoints');
    expect(value('execution.checkpointing.savepoint-dir')).toBe('file:///flink-state/savepoints');
    expect(value('jobmanager.rpc.address')).toBe('jobmanager');
    expect(value('taskmanager.rpc.port')).toBe('6122');
    expect(value('taskmanager.host')).toBeUndefined();
  });
});

describe('Dockerfiles (lint)', () => {
  it('the Node image is clean', async () => {
    expect(lintDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('the Flink image is clean (Flink’s entry point drops to the flink user)', async () => {
    const text = await readFile(join(ROOT, 'flink/Dockerfile'), 'utf8');
    expect(lintDockerfile(text, { rootEntrypointDropsPrivileges: true })).toEqual([]);
    expect(text).toMatch(/^FROM flink:2\.2\.1-scala_2\.12-java17$/m);
    // The image's entry point overrides jobmanager.rpc.address with this (default: own hostname).
    expect(text).toMatch(/^ENV JOB_MANAGER_RPC_ADDRESS=jobmanager$/m);
    expect(text).toMatch(/^FROM maven:3\.9\.\d+-eclipse-temurin-17 AS bridge$/m);
  });

  it('flags what it is meant to flag', () => {
    const bad = [
      'ARG BASE=node',
      `FROM \${BASE}`,
      'FROM debian AS b',
      'WORKDIR app',
      'ADD . /app',
      'RUN cd /app && npm install',
      'RUN apt-get install curl',
      'COPY --from=nowhere /x /y',
      'CMD node server.js',
    ].join('\n');
    expect(lintDockerfile(bad).map((p) => `${p.line} ${p.rule}`)).toEqual([
      '2 pinned-base',
      '3 pinned-base',
      '4 workdir-absolute',
      '5 copy-not-add',
      '6 npm-ci',
      '6 no-cd',
      '7 apt-no-recommends',
      '7 apt-yes',
      '7 apt-lists',
      '8 copy-from-stage',
      '9 exec-form',
      '0 non-root',
    ]);
    expect(isPinnedImage('node:20.20.2-bookworm-slim')).toBe(true);
    expect(isPinnedImage('node:latest')).toBe(false);
    expect(isPinnedImage('registry:5000/node')).toBe(false);
    expect(isPinnedImage('node@sha256:abc')).toBe(true);
  });
});
