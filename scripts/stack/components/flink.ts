/**
 * Flink 2.2.1 as processes of the stack: a standalone session cluster of one
 * JobManager and one TaskManager, each a JVM started by its main class. The
 * jars are Flink's real distribution (lib/, opt/, plugins/) taken from the
 * PyPI wheel apache-flink-libraries, because flink-dist 2.x is not on Maven Central.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, Progress } from '../component';
import {
  defaultTaskManagerMemory,
  flinkConfigYaml,
  flinkJava17Options,
  flinkLog4jProperties,
  jobManagerJvmOptions,
  taskManagerJvmOptions,
} from '../flink-config';
import type { StackLayout } from '../layout';
import { requireCommand, requireJava17 } from '../prerequisites';
import { managedProcess, runningPid, startProcess } from '../processes';
import { pipDownloadArgs } from '../pypi';
import { tryFetch } from '../wait';

export const flinkVersion = '2.2.1';
const wheelName = `apache_flink_libraries-${flinkVersion}-py2.py3-none-any.whl`;

/** Downloads the wheel (pip, cached) and unpacks Flink's lib/, opt/ and plugins/ into the stack. */
function installDistribution(layout: StackLayout, progress: Progress): void {
  const f = layout.flink;
  const marker = join(f.home, `.complete-${flinkVersion}`);
  if (existsSync(marker)) return;
  requireCommand(
    'python3',
    'Python 3 with pip is needed to fetch Flink from PyPI. Install it with: sudo apt-get install -y python3 python3-pip',
  );
  const cacheDir = join(layout.cache, 'pypi');
  const wheel = join(cacheDir, wheelName);
  if (!existsSync(wheel)) {
    progress.detail(`flink: downloading apache-flink-libraries==${flinkVersion} from PyPI (about 300 MB)`);
    mkdirSync(cacheDir, { recursive: true });
    const download = spawnSync('python3', pipDownloadArgs(cacheDir, [`apache-flink-libraries==${flinkVersion}`]), {
      encoding: 'utf8',
    });
    if (download.status !== 0 || !existsSync(wheel)) {
      throw new Error(
        `pip could not download apache-flink-libraries==${flinkVersion}:\n${download.stdout}${download.stderr}`,
      );
    }
  }
  progress.detail(`flink: unpacking ${wheelName}`);
  // Python's zipfile does the unpacking: no unzip binary needed, and only the distribution folders are taken.
  const unpack = spawnSync(
    'python3',
    [
      '-c',
      `import sys, zipfile, os
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        parts = name.split('/')
        if len(parts) > 2 and parts[0] == 'pyflink' and parts[1] in ('lib', 'opt', 'plugins') and not name.endswith('/'):
            dest = os.path.join(target, *parts[1:])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(name) as src, open(dest, 'wb') as out:
                out.write(src.read())`,
      wheel,
      f.home,
    ],
    { encoding: 'utf8' },
  );
  if (unpack.status !== 0) throw new Error(`could not unpack ${wheel}: ${unpack.stderr}`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

/** lib/ jars in the order Flink's config.sh uses: everything sorted, flink-dist last. */
export function flinkClasspath(jars: string[], libDir: string): string {
  const sorted = jars.filter((j) => j.endsWith('.jar')).sort();
  const dist = sorted.filter((j) => j.startsWith('flink-dist'));
  const others = sorted.filter((j) => !j.startsWith('flink-dist'));
  return [...others, ...dist].map((j) => join(libDir, j)).join(':');
}

interface Overview {
  taskmanagers: number;
  'slots-total': number;
  'flink-version': string;
}

/** The Flink component of the local stack. */
export function flinkComponent(layout: StackLayout): Component {
  const f = layout.flink;
  const jobmanager = managedProcess(layout.pids, layout.logs, 'flink-jobmanager');
  const taskmanager = managedProcess(layout.pids, layout.logs, 'flink-taskmanager');
  const rest = `http://${f.restHost}:${f.restPort}`;
  const taskManagerIdFile = join(layout.pids, 'flink-taskmanager.id');
  const memory = defaultTaskManagerMemory;
  const env = {
    ...process.env,
    FLINK_HOME: f.home,
    FLINK_CONF_DIR: f.conf,
    FLINK_LIB_DIR: f.lib,
    FLINK_OPT_DIR: join(f.home, 'opt'),
    FLINK_PLUGINS_DIR: join(f.home, 'plugins'),
    FLINK_LOG_DIR: layout.logs,
  };
  const jvm = (name: string, extra: string[]) => [
    ...extra,
    ...flinkJava17Options,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Djava.io.tmpdir=${f.tmp}`,
    `-Dlog.file=${join(layout.logs, `${name}.log`)}`,
    `-Dlog4j.configurationFile=file:${join(f.conf, 'log4j.properties')}`,
    '-cp',
    flinkClasspath(readdirSync(f.lib), f.lib),
  ];

  return {
    name: 'flink',
    processes: [jobmanager, taskmanager],
    ports: [
      { port: f.restPort, purpose: 'REST/UI' },
      { port: f.rpcPort, purpose: 'JobManager RPC' },
    ],
    logFiles: [
      jobmanager.outFile,
      join(layout.logs, 'flink-jobmanager.log'),
      taskmanager.outFile,
      join(layout.logs, 'flink-taskmanager.log'),
    ],
    healthDescription: `${rest}/taskmanagers listing this stack's TaskManager with ${f.taskSlots} slots, and ${rest}/jars answering`,
    startTimeoutSeconds: 120,
    async fetch(progress: Progress) {
      requireJava17();
      installDistribution(layout, progress);
      progress.detail(`flink ${flinkVersion}: ${readdirSync(f.lib).length} jars in ${f.lib}`);
    },
    async start(progress: Progress) {
      await this.fetch(progress);
      for (const dir of [
        f.conf,
        f.checkpoints,
        f.savepoints,
        f.tmp,
        join(f.home, 'web-upload'),
        layout.logs,
        layout.pids,
      ]) {
        mkdirSync(dir, { recursive: true });
      }
      writeFileSync(
        join(f.conf, 'config.yaml'),
        flinkConfigYaml({
          restAddress: f.restHost,
          restPort: f.restPort,
          rpcPort: f.rpcPort,
          taskSlots: f.taskSlots,
          checkpointsDir: f.checkpoints,
          savepointsDir: f.savepoints,
          tmpDir: f.tmp,
          webUploadDir: join(f.home, 'web-upload'),
          memory,
        }),
      );
      writeFileSync(join(f.conf, 'log4j.properties'), flinkLog4jProperties());
      if (runningPid(jobmanager, layout.root) === undefined) {
        startProcess(
          jobmanager,
          'java',
          [
            ...jvm('flink-jobmanager', jobManagerJvmOptions()),
            'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
            '--configDir',
            f.conf,
            '--executionMode',
            'cluster',
          ],
          { cwd: f.home, env },
        );
      }
      if (runningPid(taskmanager, layout.root) === undefined) {
        // A fresh resource id per start lets the health check tell this TaskManager from a dead one.
        const resourceId = `stack-taskmanager-${Date.now()}`;
        writeFileSync(taskManagerIdFile, `${resourceId}\n`);
        startProcess(
          taskmanager,
          'java',
          [
            ...jvm('flink-taskmanager', taskManagerJvmOptions(memory)),
            'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
            '--configDir',
            f.conf,
            `-Dtaskmanager.resource-id=${resourceId}`,
          ],
          { cwd: f.home, env },
        );
      }
    },
    async healthy() {
      const ownTaskManager = runningPid(taskmanager, layout.root) !== undefined;
      const ownJobManager = runningPid(jobmanager, layout.root) !== undefined;
      if (ownTaskManager && existsSync(taskManagerIdFile)) {
        // Our TaskManager must be the one registered: after a crash the JobManager lists the
        // dead one until its heartbeat times out.
        const id = readFileSync(taskManagerIdFile, 'utf8').trim();
        const res = await tryFetch(`${rest}/taskmanagers`);
        if (!res?.ok) return false;
        const body = (await res.json()) as { taskmanagers: { id: string; slotsNumber: number }[] };
        if (!body.taskmanagers.some((tm) => tm.id === id && tm.slotsNumber === f.taskSlots)) return false;
      } else if (ownJobManager && !ownTaskManager) {
        return false; // our JobManager without its TaskManager
      } else {
        // A cluster this stack did not start (reused), or a TaskManager started before resource ids
        // were recorded: one TaskManager with the configured slots.
        const overview = await tryFetch(`${rest}/overview`);
        if (!overview?.ok) return false;
        const body = (await overview.json()) as Overview;
        if (body.taskmanagers !== 1 || body['slots-total'] !== f.taskSlots) return false;
      }
      const jars = await tryFetch(`${rest}/jars`);
      return jars?.status === 200;
    },
  };
}
