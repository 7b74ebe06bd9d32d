/**
 * The Flink tooling CLI: deploy / stop / status / list the bridge job over Flink's REST API.
 * Usage: npx tsx flink/src/cli.ts <command> --help   (or npm run deploy|stop|status|jobs -- ...)
 * Configuration comes from the environment (FLINK_URL, WORKER_ADDRESS, KAFKA_BROKERS,
 * CLICKHOUSE_*, STACK_DIR); see common/src/config.ts.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Config, ConfigError, loadConfig } from '@ticker/common';
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { BRIDGE_KNOBS, type BridgeKnob, type BridgeTuning } from './bridge-args';
import { AlreadyRunningError, type DeployOptions, deploy, JobStartError } from './deploy';
import { DescriptorError, describePipeline, readDescriptorFile } from './descriptor';
import { JarMissingError, locateBridgeJar } from './jar';
import { isActive } from './jobs';
import { consoleReporter } from './report';
import { FlinkApiError, FlinkRestClient, FlinkUnreachableError } from './rest/client';
import { defaultSavepointStorePath, SavepointStore } from './savepoint-store';
import { formatJobList, formatJobStatus, jobStatus } from './status';
import { JobNotFoundError, SavepointFailedError, stopJob } from './stop';
import { DeadlineError } from './wait';

/** A commander argument parser that validates with zod and explains what it expected. */
function parsed<T>(schema: z.ZodType<T>, what: string): (value: string) => T {
  return (value) => {
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidArgumentError(`expected ${what}, got "${value}"`);
    return result.data;
  };
}
const positiveInt = parsed(z.coerce.number().int().positive(), 'a positive integer');
const nonNegativeInt = parsed(z.coerce.number().int().nonnegative(), 'an integer >= 0');
const identifier = parsed(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), 'a database name (letters, digits, _)');

/**
 * A path the user typed: relative to where they typed it. `npm run` moves to the repository
 * root and leaves the original directory in INIT_CWD.
 */
function userPath(path: string): string;
function userPath(path: string | undefined): string | undefined;
function userPath(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

function clientFor(config: Config): FlinkRestClient {
  return new FlinkRestClient({ url: config.flink.url });
}

function storeFor(config: Config, stateFile: string | undefined): SavepointStore {
  return new SavepointStore(userPath(stateFile) ?? defaultSavepointStorePath(config.stack.dir));
}

/** The deploy command's flags: the deploy options it passes on as they are, and its own. */
interface DeployFlags
  extends BridgeTuning,
    Pick<
      DeployOptions,
      | 'parallelism'
      | 'fromLatestSavepoint'
      | 'checkpointsDir'
      | 'allowNonRestoredState'
      | 'dropOldWindowState'
      | 'replace'
      | 'ifNotRunning'
      | 'savepointDir'
    > {
  pipeline?: string;
  descriptor?: string;
  jar?: string;
  build: boolean;
  savepoint?: string;
  clickhouseDatabase?: string;
  stateFile?: string;
  timeout: number;
  keepOnFailure?: boolean;
}

/** The deploy option of one bridge knob, parsed by its kind. */
function knobOption(knob: BridgeKnob): Option {
  if (knob.kind === 'text') return new Option(`${knob.flag} <value>`, knob.description);
  return new Option(`${knob.flag} <n>`, knob.description).argParser(
    knob.kind === 'positive' ? positiveInt : nonNegativeInt,
  );
}

/** The knobs the user set, by their BridgeTuning names. */
function tuningOf(flags: DeployFlags): BridgeTuning {
  const tuning: Record<string, unknown> = {};
  for (const knob of BRIDGE_KNOBS) tuning[knob.key] = flags[knob.key];
  return tuning as BridgeTuning;
}

async function runDeploy(flags: DeployFlags): Promise<void> {
  const config = loadConfig();
  const reporter = consoleReporter();
  reporter.step(flags.descriptor ? `Reading descriptor ${flags.descriptor}` : 'Describing the pipeline');
  const descriptor = flags.descriptor
    ? await readDescriptorFile(userPath(flags.descriptor))
    : await describePipeline(userPath(flags.pipeline));
  const d = descriptor.descriptor;
  reporter.detail(
    `"${d.name}": ${d.source.topic} -> ${d.nodes.length} nodes, dead letters -> ${d.deadLetter.targets
      .map((t) => (t.type === 'kafka' ? `kafka:${t.topic}` : `clickhouse:${t.table}`))
      .join(', ')}`,
  );
  const result = await deploy(clientFor(config), storeFor(config, flags.stateFile), reporter, {
    descriptor,
    jar: () =>
      locateBridgeJar({
        explicitPath: userPath(flags.jar),
        build: flags.build,
        onBuild: (command) => reporter.detail(`building it: ${command}`),
      }),
    target: {
      workerAddress: config.worker.address,
      kafkaBrokers: config.kafka.brokers,
      clickhouse: {
        url: config.clickhouse.url,
        database: flags.clickhouseDatabase ?? config.clickhouse.database,
        user: config.clickhouse.user,
        password: config.clickhouse.password,
      },
    },
    tuning: tuningOf(flags),
    parallelism: flags.parallelism,
    savepointPath: flags.savepoint,
    fromLatestSavepoint: flags.fromLatestSavepoint,
    checkpointsDir: userPath(flags.checkpointsDir),
    allowNonRestoredState: flags.allowNonRestoredState,
    dropOldWindowState: flags.dropOldWindowState,
    replace: flags.replace,
    ifNotRunning: flags.ifNotRunning,
    savepointDir: flags.savepointDir,
    timeoutMs: flags.timeout * 1000,
    keepOnFailure: flags.keepOnFailure,
  });
  if (!result.alreadyRunning) {
    process.stdout.write(
      `deployed: job ${result.jobId} is RUNNING — ${config.flink.url}/#/job/running/${result.jobId}\n`,
    );
  }
}

/** Builds the commander program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('flink-tools')
    .description('Deploy, stop and inspect the ticker bridge job on a Flink cluster (FLINK_URL).')
    .showHelpAfterError();

  const deployCommand = program
    .command('deploy')
    .description('describe the pipeline, upload the bridge jar, run it and wait until every task is RUNNING')
    .option('--pipeline <file>', 'pipeline definition module (default: the stock pipeline)')
    .option('--descriptor <json>', 'use this descriptor JSON file instead of describing a pipeline')
    .option('--jar <path>', 'bridge jar to upload (default flink/bridge/target/ticker-bridge.jar, built if missing)')
    .option('--no-build', 'never run mvn to build a missing jar')
    .option('--parallelism <n>', 'job parallelism (overrides the descriptor)', positiveInt)
    .addOption(new Option('--savepoint <path>', 'restore from this savepoint').conflicts('fromLatestSavepoint'))
    .option('--from-latest-savepoint', 'restore from the newest savepoint `stop` recorded for this pipeline, if any')
    .option(
      '--checkpoints-dir <dir>',
      "with --from-latest-savepoint: also resume from the last deployed job's retained checkpoints here, if newer",
    )
    .option('--allow-non-restored-state', 'allow savepoint state that maps to no operator')
    .option(
      '--drop-old-window-state',
      'resume from state taken before windows became accumulators, losing the windows open in it',
    )
    .option('--replace', 'if the pipeline runs: stop it with a savepoint, then deploy from that savepoint')
    .addOption(
      new Option('--if-not-running', 'succeed without deploying if the pipeline already runs').conflicts('replace'),
    )
    .option('--savepoint-dir <dir>', 'savepoint directory for --replace (default: the cluster setting)')
    .option('--clickhouse-database <db>', 'ClickHouse database to write (default CLICKHOUSE_DATABASE)', identifier)
    .option('--state-file <path>', 'savepoint record file (default $STACK_DIR/savepoints.json)')
    .option('--timeout <seconds>', 'how long to wait for RUNNING', positiveInt, 120)
    .option('--keep-on-failure', 'do not cancel a job that failed to start')
    .action((flags: DeployFlags) => runDeploy(flags));
  for (const knob of BRIDGE_KNOBS) deployCommand.addOption(knobOption(knob));

  program
    .command('stop')
    .description('stop a job with a savepoint and record the savepoint for deploy --from-latest-savepoint')
    .option('--job <id>', 'job id')
    .option('--name <pipeline>', "the pipeline's name (the descriptor name)")
    .option('--savepoint-dir <dir>', 'savepoint directory (default: the cluster setting)')
    .option('--state-file <path>', 'savepoint record file (default $STACK_DIR/savepoints.json)')
    .option('--timeout <seconds>', 'how long to wait for the savepoint', positiveInt, 120)
    .action(
      async (flags: { job?: string; name?: string; savepointDir?: string; stateFile?: string; timeout: number }) => {
        const config = loadConfig();
        const result = await stopJob(clientFor(config), storeFor(config, flags.stateFile), consoleReporter(), {
          jobId: flags.job,
          name: flags.name,
          targetDirectory: flags.savepointDir,
          timeoutMs: flags.timeout * 1000,
        });
        process.stdout.write(`${result.savepointPath}\n`);
      },
    );

  program
    .command('status')
    .description('state, uptime, last checkpoint and records per operator of running jobs')
    .option('--job <id>', 'one job (default: every running job)')
    .option('--json', 'print JSON')
    .action(async (flags: { job?: string; json?: boolean }) => {
      const config = loadConfig();
      const client = clientFor(config);
      const ids = flags.job ? [flags.job] : (await client.listJobs()).filter(isActive).map((j) => j.jid);
      const statuses = await Promise.all(ids.map((id) => jobStatus(client, id)));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
      } else if (statuses.length === 0) {
        process.stdout.write(`no running jobs on ${client.url}\n`);
      } else {
        process.stdout.write(`${statuses.map(formatJobStatus).join('\n\n')}\n`);
      }
    });

  program
    .command('list')
    .alias('jobs')
    .description('every job the cluster knows, with its state')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const jobs = await clientFor(loadConfig()).listJobs();
      process.stdout.write(flags.json ? `${JSON.stringify(jobs, null, 2)}\n` : `${formatJobList(jobs)}\n`);
    });

  return program;
}

/** Errors we expect and explain get their message only; anything else gets a stack. */
const EXPLAINED_ERRORS = [
  ConfigError,
  FlinkUnreachableError,
  FlinkApiError,
  JarMissingError,
  JobStartError,
  AlreadyRunningError,
  DescriptorError,
  JobNotFoundError,
  SavepointFailedError,
  DeadlineError,
];

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (EXPLAINED_ERRORS.some((E) => error instanceof E)) {
      process.stderr.write(`error: ${(error as Error).message}\n`);
    } else {
      process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv);
}
