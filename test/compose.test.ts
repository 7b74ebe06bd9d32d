/**
 * Checks compose.yaml with the real compose tooling (`docker compose config`, which needs no
 * engine) and lints the Dockerfiles. The compose plugin comes from scripts/install-compose-plugin.sh.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { configVariables } from '@ticker/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isPinnedImage, lintDockerfile } from './dockerfile-lint';
import { copiedPaths, isCopied, missingImports } from './image-files';

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
  pull_policy: z.string().optional(),
  ulimits: z.record(z.string(), z.unknown()).optional(),
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
        bind: z.object({ selinux: z.string().optional() }).passthrough().optional(),
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

/** Every published port as "service host_ip:published->target/protocol", sorted. */
function publishedPorts(services: Record<string, Service>): string[] {
  return Object.entries(services)
    .flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p.host_ip}:${p.published}->${p.target}/${p.protocol}`),
    )
    .sort();
}

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
      'retention',
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

  it('builds each image tag in exactly one service; the others never pull it', () => {
    const builtTags = new Map<string, string[]>();
    for (const [name, service] of Object.entries(services)) {
      if (service.build) builtTags.set(service.image!, [...(builtTags.get(service.image!) ?? []), name]);
    }
    expect(Object.fromEntries(builtTags)).toEqual({
      'stock-ticker/flink:0.1.0': ['jobmanager'],
      'stock-ticker/node:0.1.0': ['worker'],
    });
    const users = Object.entries(services)
      .filter(([, s]) => !s.build && builtTags.has(s.image!))
      .map(([n, s]) => `${n} ${s.pull_policy}`)
      .sort();
    expect(users).toEqual([
      'dashboard never',
      'deployer never',
      'migrate never',
      'producer never',
      'retention never',
      'taskmanager never',
    ]);
  });

  it("confines the dashboard's ClickHouse user to the dashboard's database; no service reads as the test reader", async () => {
    const usersDir = services.clickhouse?.volumes?.find((v) => v.target === '/etc/clickhouse-server/users.d');
    expect(usersDir).toMatchObject({ type: 'bind', source: join(ROOT, 'sql', 'users.d'), read_only: true });
    const dashboard = services.dashboard?.environment ?? {};
    const user = dashboard.DASHBOARD_CLICKHOUSE_USER;
    expect([user, dashboard.CLICKHOUSE_DATABASE]).toEqual(['dashboard', 'stocks']);
    // The users the mounted files define, with their allow_databases (comments dropped first).
    const allowed = new Map<string, string[] | undefined>();
    for (const file of (await readdir(usersDir!.source!)).filter((f) => f.endsWith('.xml'))) {
      const xml = (await readFile(join(usersDir!.source!, file), 'utf8')).replace(/<!--[\s\S]*?-->/g, '');
      const users = /<users>([\s\S]*?)<\/users>/.exec(xml)?.[1] ?? '';
      for (const [, name, body] of users.matchAll(/<([\w.-]+)>([\s\S]*?)<\/\1>/g)) {
        const list = /<allow_databases>([\s\S]*?)<\/allow_databases>/.exec(body!)?.[1];
        allowed.set(
          name!,
          list === undefined ? undefined : [...list.matchAll(/<database>(.*?)<\/database>/g)].map((m) => m[1]!),
        );
      }
    }
    expect(Object.fromEntries(allowed)).toEqual({ dashboard: ['stocks'], dashboard_test: undefined });
    // The test reader may read every database: only the suites use it, never a service.
    const readers = Object.entries(services)
      .filter(([, s]) => s.environment?.DASHBOARD_CLICKHOUSE_USER !== undefined)
      .map(([n, s]) => `${n} ${s.environment?.DASHBOARD_CLICKHOUSE_USER}`);
    expect(readers).toEqual(['dashboard dashboard']);
  });

  it('runs on restricted runtimes and SELinux hosts: no raised ulimits, bind mounts labelled', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.ulimits, `${name} ulimits`).toBeUndefined();
      for (const volume of service.volumes ?? []) {
        if (volume.type !== 'bind' || volume.source === '/var/run/docker.sock') continue;
        expect(`${name} ${volume.target} ${volume.bind?.selinux}`).toBe(`${name} ${volume.target} z`);
      }
    }
  });

  it('bounds the demo’s disk: Kafka retention with rolling segments, the retention job, a light Kafka probe', () => {
    const kafka = services.kafka?.environment ?? {};
    expect(kafka.KAFKA_LOG_RETENTION_HOURS).toBe('24');
    expect(kafka.KAFKA_LOG_RETENTION_BYTES).toBe(String(256 * 1024 * 1024));
    expect(kafka.KAFKA_LOG_SEGMENT_BYTES).toBe(String(64 * 1024 * 1024));
    expect(kafka.KAFKA_LOG_ROLL_HOURS).toBe('1');
    expect(services.retention?.command).toEqual([
      'node',
      '--import',
      'tsx',
      'scripts/db/retention.ts',
      '--days',
      '7',
      '--every',
      '3600',
      '--heartbeat',
      '/tmp/retention.heartbeat',
    ]);
    // The probe's JVM must not start with the broker's 512 MB heap.
    expect(services.kafka?.healthcheck?.test?.join(' ')).toContain("KAFKA_HEAP_OPTS='-Xms32m -Xmx64m'");
  });

  it('runs in the Node image only files the image copies', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const copied = copiedPaths(dockerfile);
    const packageScripts = z
      .object({ scripts: z.record(z.string(), z.string()) })
      .parse(JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'))).scripts;
    const entries: string[] = [];
    for (const service of Object.values(services)) {
      if (service.image !== 'stock-ticker/node:0.1.0') continue;
      const words = [...(service.command ?? []), ...(service.healthcheck?.test ?? [])];
      entries.push(...words.filter((w) => w.endsWith('.ts')));
      const npmRun = words.indexOf('run');
      if (words[0] === 'npm' && npmRun >= 0) {
        const script = words.slice(npmRun + 1).find((w) => !w.startsWith('-')) ?? '';
        entries.push(...(packageScripts[script] ?? '').split(/\s+/).filter((w) => w.endsWith('.ts')));
      }
    }
    expect(entries).toContain('scripts/db/migrate.ts');
    expect(entries.filter((e) => !isCopied(e, copied))).toEqual([]);
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

  it('publishes only the UIs, on 127.0.0.1: Flink 8081, dashboard 3000', () => {
    expect(publishedPorts(services)).toEqual([
      'dashboard 127.0.0.1:3000->3000/tcp',
      'jobmanager 127.0.0.1:8081->8081/tcp',
    ]);
  });

  it('compose.ports.yaml also publishes Kafka, ClickHouse and the worker, on 127.0.0.1 only', async () => {
    const [command, ...prefix] = await composeCommand();
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? homedir() };
    const files = ['-f', join(ROOT, 'compose.yaml'), '-f', join(ROOT, 'compose.ports.yaml')];
    const config = async (extra: Record<string, string> = {}) =>
      projectSchema.parse(
        JSON.parse(
          (
            await run(command!, [...prefix, ...files, 'config', '--format', 'json'], {
              env: { ...env, ...extra },
              cwd: ROOT,
            })
          ).stdout,
        ),
      ).services;
    const withPorts = await config();
    expect(publishedPorts(withPorts)).toEqual([
      'clickhouse 127.0.0.1:8123->8123/tcp',
      'dashboard 127.0.0.1:3000->3000/tcp',
      'jobmanager 127.0.0.1:8081->8081/tcp',
      'kafka 127.0.0.1:9092->29092/tcp',
      'worker 127.0.0.1:50051->50051/tcp',
    ]);
    // Host clients are sent back to the published address; services keep kafka:9092.
    const kafka = withPorts.kafka?.environment ?? {};
    expect(kafka.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092,HOST://127.0.0.1:9092');
    expect(kafka.KAFKA_LISTENERS).toBe('PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:29092');
    expect(kafka.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT');
    // Moving the Kafka port moves what it advertises with it.
    const moved = await config({ KAFKA_HOST_PORT: '19092' });
    expect(publishedPorts(moved).filter((p) => p.startsWith('kafka'))).toEqual(['kafka 127.0.0.1:19092->29092/tcp']);
    expect(moved.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092,HOST://127.0.0.1:19092');
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

describe('the Node image copies every file its code imports', () => {
  it('has no import of a file the image lacks', async () => {
    expect(missingImports(ROOT, await readFile(join(ROOT, 'Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('catches the missing scripts/stack/layout.ts that broke `migrate`', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const without = dockerfile.replace(/^COPY scripts\/stack\/layout\.ts .*\n/m, '');
    expect(without).not.toBe(dockerfile);
    expect(missingImports(ROOT, without)).toEqual([
      { file: 'scripts/db/migrate-lib.ts', specifier: '../stack/layout', resolved: 'scripts/stack/layout.ts' },
    ]);
    const withoutCommon = dockerfile.replace(/^COPY common common\n/m, '');
    expect(missingImports(ROOT, withoutCommon).map((m) => m.resolved)).toContain('common/src/index.ts');
    // A subpath of a workspace package whose folder is not its name (@ticker/flink-tools is flink/).
    const withoutFlink = dockerfile.replace(/^COPY flink\/src flink\/src\n/m, '');
    expect(missingImports(ROOT, withoutFlink)).toContainEqual({
      file: 'dashboard/src/health.ts',
      specifier: '@ticker/flink-tools/rest/schemas',
      resolved: 'flink/src/rest/schemas.ts',
    });
  });
});

describe('Dockerfiles (lint)', () => {
  it('the Node image is clean', async () => {
    expect(lintDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('the Flink image is clean, and runs as the flink user like the official image', async () => {
    const text = await readFile(join(ROOT, 'flink/Dockerfile'), 'utf8');
    expect(lintDockerfile(text)).toEqual([]);
    expect(text).toMatch(/^FROM flink:2\.2\.1-scala_2\.12-java17$/m);
    // The image's entry point overrides jobmanager.rpc.address with this (default: own hostname).
    expect(text).toMatch(/^ENV JOB_MANAGER_RPC_ADDRESS=jobmanager$/m);
    expect(text).toMatch(/^FROM maven:3\.9\.\d+-eclipse-temurin-17 AS bridge$/m);
  });

  it('catches a RUN that writes outside /opt/flink as the Flink image’s own user (mkdir /flink-state failed)', async () => {
    const text = await readFile(join(ROOT, 'flink/Dockerfile'), 'utf8');
    const withoutRoot = text.replace(/^USER root\n/m, '');
    expect(withoutRoot).not.toBe(text);
    expect(lintDockerfile(withoutRoot).map((p) => p.rule)).toEqual(['run-as-base-user']);
    expect(lintDockerfile(`# syntax=docker/dockerfile:1.7\n${text}`).map((p) => `${p.line} ${p.rule}`)).toEqual([
      '1 no-syntax-directive',
    ]);
    // Writing inside the user's home, or as root, is fine; the final stage keeps the base's user.
    expect(lintDockerfile('FROM flink:2.2.1\nRUN mkdir -p /opt/flink/usrlib && echo x > /opt/flink/a')).toEqual([]);
    expect(lintDockerfile('FROM flink:2.2.1\nUSER root\nRUN mkdir /x').map((p) => p.rule)).toEqual(['non-root']);
  });

  it('flags what it is meant to flag', () => {
    const bad = [
      'ARG BASE=node',
      `FROM \${BASE}`,
      'FROM debian AS b',
      'WORKDIR app',
      'ADD . /app',
      'RUN cd /app && npm install',
      'RUN npm ci || npm install',
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
      '7 npm-ci',
      '8 apt-no-recommends',
      '8 apt-yes',
      '8 apt-lists',
      '9 copy-from-stage',
      '10 exec-form',
      '0 non-root',
    ]);
    expect(isPinnedImage('node:20.20.2-bookworm-slim')).toBe(true);
    expect(isPinnedImage('node:latest')).toBe(false);
    expect(isPinnedImage('registry:5000/node')).toBe(false);
    expect(isPinnedImage('node@sha256:abc')).toBe(true);
  });
});
