/**
 * A small Dockerfile linter for this repository's images (hadolint is a Haskell binary we
 * cannot fetch here). It checks the rules that matter for a reproducible demo image:
 * pinned base images, COPY over ADD, npm ci over npm install, apt hygiene, exec-form
 * CMD/ENTRYPOINT, absolute WORKDIR, known COPY --from stages, a non-root final user, no
 * `# syntax=` directive (it pulls a frontend image from Docker Hub on every cold build), and
 * no RUN that writes outside its home while the base image's non-root user is in effect.
 */

export interface LintProblem {
  line: number;
  rule: string;
  message: string;
}

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Joins continuation lines and drops comments (keeps `# syntax=` out of instructions). */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  const lines = text.split('\n');
  let current: Instruction | undefined;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (current === undefined && (line === '' || line.startsWith('#'))) return;
    if (current !== undefined && line.startsWith('#')) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1).trim() : line;
    if (current === undefined) {
      const match = /^(\S+)\s*(.*)$/.exec(body);
      current = { line: index + 1, keyword: (match?.[1] ?? '').toUpperCase(), args: match?.[2] ?? '' };
    } else {
      current.args = `${current.args} ${body}`.trim();
    }
    if (!continued) {
      result.push(current);
      current = undefined;
    }
  });
  if (current) result.push(current);
  return result;
}

/** An image reference is pinned when it has a tag other than latest (or a digest). */
export function isPinnedImage(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const lastSegment = image.split('/').at(-1) ?? '';
  const tag = lastSegment.includes(':') ? lastSegment.split(':').at(-1) : undefined;
  return tag !== undefined && tag !== '' && tag !== 'latest' && !tag.includes('$');
}

/**
 * Base images whose last instruction is `USER <non-root>`, with the only place that user may
 * write. A RUN in a stage built on one of them runs as that user until a `USER root`.
 */
const nonRootBaseImages: { image: RegExp; user: string; home: string }[] = [
  // The official Flink image ends with `USER flink`; its home is /opt/flink.
  { image: /^flink:/, user: 'flink', home: '/opt/flink' },
];

/** Absolute paths a RUN writes to: the operands of mkdir, touch, chown, chmod, cp, mv, ln, rm, tee and `>`. */
function writtenPaths(command: string): string[] {
  const paths: string[] = [];
  for (const segment of command.split(/&&|\|\||;|\|/)) {
    const words = segment.trim().split(/\s+/);
    const verb = words[0] ?? '';
    if (['mkdir', 'touch', 'chown', 'chmod', 'cp', 'mv', 'ln', 'rm', 'tee'].includes(verb)) {
      paths.push(...words.slice(1).filter((w) => w.startsWith('/')));
    }
    for (const match of segment.matchAll(/>>?\s*(\/\S+)/g)) if (match[1]) paths.push(match[1]);
  }
  return paths.filter((p) => p !== '/dev/null');
}

/** Problems found in a Dockerfile's text (empty when clean). */
export function lintDockerfile(text: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (line: number, rule: string, message: string) => problems.push({ line, rule, message });
  const args = new Map<string, string>();
  const stages: string[] = [];
  let finalUser: string | undefined;
  // The user RUN executes as in the current stage, and where that user may write.
  const root = { user: 'root', home: '/' };
  let runUser = root;
  let stageBase: (typeof nonRootBaseImages)[number] | undefined;
  let sawFrom = false;

  const syntax = /^#\s*syntax\s*=/im.exec(text);
  if (syntax) {
    const line = text.slice(0, syntax.index).split('\n').length;
    add(
      line,
      'no-syntax-directive',
      'drop the `# syntax=` line: it pulls the frontend from Docker Hub on every cold build',
    );
  }

  for (const ins of instructions(text)) {
    const { line, keyword } = ins;
    if (keyword === 'ARG') {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.args);
      if (match?.[1] && match[2] !== undefined) args.set(match[1], match[2].replace(/^["']|["']$/g, ''));
      continue;
    }
    if (keyword === 'FROM') {
      sawFrom = true;
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--platform'));
      const image = (parts[0] ?? '').replace(
        /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/,
        (_m, name: string) => args.get(name) ?? _m,
      );
      const alias = parts[1]?.toUpperCase() === 'AS' ? parts[2] : undefined;
      if (!stages.includes(image) && image !== 'scratch' && !isPinnedImage(image)) {
        add(line, 'pinned-base', `base image "${parts[0]}" must have a fixed tag (not latest, not untagged)`);
      }
      if (alias) stages.push(alias);
      stageBase = nonRootBaseImages.find((b) => b.image.test(image));
      runUser = stageBase ?? root;
      finalUser = stageBase?.user;
      continue;
    }
    if (!sawFrom) {
      add(line, 'from-first', `${keyword} before the first FROM`);
      continue;
    }
    if (keyword === 'ADD' && !/https?:\/\//.test(ins.args)) {
      add(line, 'copy-not-add', 'use COPY for local files (ADD also unpacks archives and fetches URLs)');
    }
    if (keyword === 'COPY') {
      const from = /--from=(\S+)/.exec(ins.args)?.[1];
      if (from !== undefined && !stages.includes(from) && !isPinnedImage(from)) {
        add(line, 'copy-from-stage', `COPY --from=${from} names no earlier stage and no pinned image`);
      }
    }
    if (keyword === 'WORKDIR' && !ins.args.startsWith('/') && !ins.args.startsWith('$')) {
      add(line, 'workdir-absolute', `WORKDIR ${ins.args} must be absolute`);
    }
    if (keyword === 'RUN') {
      // No `npm install`, not even as a fallback: it rewrites the lock and hides an incomplete install.
      if (/\bnpm (install|i)\b/.test(ins.args)) {
        add(line, 'npm-ci', 'use npm ci (the lock file) instead of npm install');
      }
      if (runUser.user !== 'root' && runUser.user !== '0') {
        const outside = writtenPaths(ins.args).filter((p) => p !== runUser.home && !p.startsWith(`${runUser.home}/`));
        if (outside.length > 0) {
          add(line, 'run-as-base-user', `RUN writes ${outside.join(', ')} as ${runUser.user}: add USER root before it`);
        }
      }
      if (/apt-get install/.test(ins.args)) {
        if (!/--no-install-recommends/.test(ins.args)) {
          add(line, 'apt-no-recommends', 'apt-get install without --no-install-recommends');
        }
        if (!/-y\b|--yes/.test(ins.args)) add(line, 'apt-yes', 'apt-get install without -y');
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(ins.args)) {
          add(line, 'apt-lists', 'apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN');
        }
      }
      if (/\bcurl\b[^|]*\|\s*(ba)?sh/.test(ins.args))
        add(line, 'no-pipe-to-shell', 'do not pipe downloads into a shell');
      if (/(^|&&|;)\s*cd\s/.test(ins.args)) add(line, 'no-cd', 'use WORKDIR instead of cd in RUN');
    }
    if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && !ins.args.startsWith('[')) {
      add(line, 'exec-form', `${keyword} must use the JSON (exec) form so signals reach the process`);
    }
    if (keyword === 'USER') {
      finalUser = ins.args.trim();
      const user = finalUser.split(':')[0] ?? finalUser;
      if (user === 'root' || user === '0') runUser = root;
      else runUser = stageBase?.user === user ? stageBase : { user, home: `/home/${user}` };
    }
  }
  if (!sawFrom) add(1, 'from-first', 'no FROM instruction');
  const rootUser = finalUser === undefined || finalUser === 'root' || finalUser === '0';
  if (rootUser) {
    add(0, 'non-root', 'the final stage must switch to a non-root USER');
  }
  return problems;
}
