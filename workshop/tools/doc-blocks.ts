/**
 * Reads the shell blocks of the workshop pages. Each ```sh block must be preceded by a marker line:
 *   <!-- run -->                   executed in order by test/workshop-docs.test.ts
 *   <!-- run: background -->       a long-running command (worker, producer, dashboard)
 *   <!-- check-only: <reason> -->  checked (scripts, flags, compose services) but not executed
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type BlockMode = 'run' | 'background' | 'check-only';

export interface ShellBlock {
  /** The page's file name, e.g. 03-add-a-step.md. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  mode: BlockMode;
  /** Why a check-only block is not executed. */
  reason?: string;
  /** The block's text, dedented, without the fences. */
  text: string;
}

/** A block without a marker, or a marker without a block: the page is wrong. */
export class DocBlockError extends Error {
  override readonly name = 'DocBlockError';
}

const MARKER = /^\s*<!--\s*(run|run: background|check-only:\s*(.+?))\s*-->\s*$/;
const OPEN = /^(\s*)```(\w*)\s*$/;

/** The shell blocks of one markdown text, in order. */
export function shellBlocks(file: string, markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  let pending: { mode: BlockMode; reason?: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = MARKER.exec(line);
    if (marker) {
      if (pending) throw new DocBlockError(`${file}:${pending.line + 1}: marker without a sh block after it`);
      const mode: BlockMode =
        marker[1] === 'run' ? 'run' : marker[1] === 'run: background' ? 'background' : 'check-only';
      pending = { mode, reason: marker[2], line: i };
      continue;
    }
    const open = OPEN.exec(line);
    if (!open) {
      if (pending && line.trim() !== '') {
        throw new DocBlockError(`${file}:${pending.line + 1}: marker not directly followed by a sh block`);
      }
      continue;
    }
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    if (j === lines.length) throw new DocBlockError(`${file}:${i + 1}: unclosed code block`);
    if (open[2] === 'sh') {
      if (!pending)
        throw new DocBlockError(
          `${file}:${i + 1}: sh block without a <!-- run | run: background | check-only: why --> marker`,
        );
      blocks.push({ file, line: i + 1, mode: pending.mode, reason: pending.reason, text: body.join('\n') });
    } else if (pending) {
      throw new DocBlockError(
        `${file}:${pending.line + 1}: marker before a ${open[2] || 'plain'} block; markers go before sh blocks`,
      );
    }
    pending = undefined;
    i = j;
  }
  if (pending) throw new DocBlockError(`${file}:${pending.line + 1}: marker at the end of the page`);
  return blocks;
}

/** The workshop pages (docs/workshop/*.md): README first, then the modules in order. */
export function workshopPages(dir: string): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)))
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

/** The commands of a block: lines joined across trailing backslashes, comments and blanks dropped. */
export function commandsOf(text: string): string[] {
  const joined = text.replace(/\s*\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}
