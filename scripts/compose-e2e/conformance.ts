/**
 * Checks each built stand-in image against its conformance list,
 * docker/standins/<name>/conformance.json: what the official image is documented to be (user,
 * workdir, entry point modes, environment honoured, tools), each line citing its source.
 *
 *   tsx scripts/compose-e2e/conformance.ts [name...]   (DOCKER_HOST: the engine holding the images)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { log, poll, run } from './exec';
import { type ImageSpec, pinnedImages, ROOT } from './standins';

const cite = z.string().url();
const checkSchema = z.discriminatedUnion('kind', [
  /** The image's default user: `id -un` / `id -u` as the image runs. */
  z.object({ kind: z.literal('user'), user: z.string(), uid: z.number().int(), cite }),
  /** Another account the image carries. */
  z.object({ kind: z.literal('account'), user: z.string(), uid: z.number().int(), cite }),
  /** The working directory (Config.WorkingDir; "/" when unset). */
  z.object({ kind: z.literal('workdir'), path: z.string(), cite }),
  /** An environment variable the image sets. */
  z.object({ kind: z.literal('env'), name: z.string(), value: z.string(), cite }),
  /** ENTRYPOINT / CMD exactly. */
  z.object({ kind: z.literal('entrypoint'), value: z.array(z.string()), cite }),
  z.object({ kind: z.literal('cmd'), value: z.array(z.string()), cite }),
  /** A command on PATH. */
  z.object({ kind: z.literal('tool'), command: z.string(), cite }),
  /** A file or folder, optionally owned by a user. */
  z.object({ kind: z.literal('path'), path: z.string(), owner: z.string().optional(), cite }),
  /** The entry point with these arguments (and environment) exits 0 printing a match of `expect`. */
  z.object({
    kind: z.literal('run'),
    what: z.string(),
    args: z.array(z.string()),
    env: z.record(z.string(), z.string()).optional(),
    expect: z.string(),
    cite,
  }),
  /** The entry point started detached: `probe` (run inside it) eventually prints a match of `expect`. */
  z.object({
    kind: z.literal('started'),
    what: z.string(),
    args: z.array(z.string()),
    env: z.record(z.string(), z.string()).optional(),
    probe: z.array(z.string()),
    expect: z.string(),
    timeoutS: z.number().optional(),
    cite,
  }),
]);
export const conformanceSchema = z.object({
  image: z.string(),
  official: z.object({ dockerfile: cite, docs: cite }),
  /** Where the stand-in knowingly differs from the official image, and why. */
  differences: z.array(z.string()),
  checks: z.array(checkSchema).min(1),
});
export type Conformance = z.infer<typeof conformanceSchema>;
type Check = z.infer<typeof checkSchema>;

/** Reads and validates docker/standins/<name>/conformance.json. */
export async function readConformance(name: string): Promise<Conformance> {
  const text = await readFile(join(ROOT, 'docker', 'standins', name, 'conformance.json'), 'utf8');
  return conformanceSchema.parse(JSON.parse(text));
}

const docker = (args: string[], allowFailure = true) => run('docker', args, { allowFailure, timeoutMs: 120_000 });

async function inspect(tag: string, format: string): Promise<string> {
  return (await docker(['image', 'inspect', '--format', format, tag], false)).stdout.trim();
}

/** Runs a shell line in a throwaway container of the image (entry point bypassed). */
async function shell(tag: string, line: string, user?: string): Promise<string> {
  const r = await docker(['run', '--rm', ...(user ? ['--user', user] : []), '--entrypoint', 'sh', tag, '-c', line]);
  if (r.code !== 0) throw new Error(`\`${line}\` exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
  return r.stdout.trim();
}

const envArgs = (env: Record<string, string> | undefined) =>
  Object.entries(env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

/** Checks one line; returns undefined when it holds, else what was found. */
async function verify(tag: string, check: Check): Promise<string | undefined> {
  switch (check.kind) {
    case 'user': {
      const found = await shell(tag, 'echo "$(id -un) $(id -u)"');
      return found === `${check.user} ${check.uid}` ? undefined : `runs as ${found}`;
    }
    case 'account': {
      const found = await shell(tag, `id -u ${check.user}`).catch((e: Error) => e.message);
      return found === String(check.uid) ? undefined : `id -u ${check.user}: ${found}`;
    }
    case 'workdir': {
      const found = (await inspect(tag, '{{.Config.WorkingDir}}')) || '/';
      return found === check.path ? undefined : `workdir ${found}`;
    }
    case 'env': {
      const env = JSON.parse(await inspect(tag, '{{json .Config.Env}}')) as string[];
      const found = env.find((e) => e.startsWith(`${check.name}=`));
      return found === `${check.name}=${check.value}` ? undefined : `${found ?? `${check.name} unset`}`;
    }
    case 'entrypoint':
    case 'cmd': {
      const found = await inspect(
        tag,
        check.kind === 'entrypoint' ? '{{json .Config.Entrypoint}}' : '{{json .Config.Cmd}}',
      );
      return found === JSON.stringify(check.value) ? undefined : `${check.kind} ${found}`;
    }
    case 'tool': {
      const found = await shell(tag, `command -v ${check.command} || true`);
      return found ? undefined : `${check.command} not on PATH`;
    }
    case 'path': {
      const found = await shell(tag, `stat -c %U "${check.path}" 2>/dev/null || echo MISSING`);
      if (found === 'MISSING') return `${check.path} missing`;
      return check.owner && found !== check.owner ? `${check.path} owned by ${found}` : undefined;
    }
    case 'run': {
      const r = await docker(['run', '--rm', ...envArgs(check.env), tag, ...check.args]);
      const out = `${r.stdout}${r.stderr}`;
      if (r.code !== 0) return `exited ${r.code}: ${out.trim().slice(0, 200)}`;
      return new RegExp(check.expect).test(out)
        ? undefined
        : `output lacks /${check.expect}/: ${out.trim().slice(0, 200)}`;
    }
    case 'started': {
      const id = (await docker(['run', '-d', ...envArgs(check.env), tag, ...check.args], false)).stdout.trim();
      try {
        await poll(check.what, (check.timeoutS ?? 90) * 1000, async () => {
          const r = await docker(['exec', id, ...check.probe]);
          if (new RegExp(check.expect).test(`${r.stdout}${r.stderr}`)) return true;
          const state = (await docker(['inspect', '--format', '{{.State.Status}}', id])).stdout.trim();
          if (state !== 'running')
            throw new Error(`container ${state}: ${(await docker(['logs', '--tail', '20', id])).stderr.slice(-400)}`);
          throw new Error(`probe printed ${`${r.stdout}${r.stderr}`.trim().slice(0, 200)}`);
        });
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      } finally {
        await docker(['rm', '-f', '-v', id]);
      }
    }
  }
}

/** Checks the named stand-ins (default: all); throws listing every line that does not hold. */
export async function checkConformance(names?: ImageSpec['name'][]): Promise<string> {
  const images = (await pinnedImages()).filter((i) => !names || names.includes(i.name));
  const failures: string[] = [];
  let checked = 0;
  for (const image of images) {
    const list = await readConformance(image.name);
    for (const check of list.checks) {
      checked += 1;
      const problem = await verify(image.tag, check);
      const label = `${image.tag} ${check.kind}${'what' in check ? ` (${check.what})` : ''}`;
      if (problem) {
        failures.push(`${label}: ${problem} [${check.cite}]`);
        log.warn({ image: image.tag, check: check.kind, problem }, 'conformance line does not hold');
      }
    }
    log.info({ image: image.tag, lines: list.checks.length }, 'conformance checked');
  }
  if (failures.length > 0)
    throw new Error(`${failures.length} of ${checked} conformance lines fail:\n${failures.join('\n')}`);
  return `${checked} lines over ${images.length} images hold`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.slice(2) as ImageSpec['name'][];
  checkConformance(names.length > 0 ? names : undefined)
    .then((summary) => process.stdout.write(`${summary}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
