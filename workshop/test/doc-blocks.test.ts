/** The workshop pages' block markers (workshop/tools/doc-blocks.ts). */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandsOf, DocBlockError, shellBlocks, workshopPages } from '../tools/doc-blocks';

describe('workshop doc blocks', () => {
  it('reads markers, indented blocks and reasons', () => {
    const md = [
      'text',
      '<!-- run -->',
      '```sh',
      'npm run describe',
      '```',
      '1. step',
      '   <!-- check-only: needs Docker -->',
      '   ```sh',
      '   docker compose ps',
      '   ```',
      '```text',
      'output, no marker needed',
      '```',
      '<!-- run: background -->',
      '```sh',
      'npm run worker',
      '```',
    ].join('\n');
    expect(shellBlocks('x.md', md)).toEqual([
      { file: 'x.md', line: 3, mode: 'run', reason: undefined, text: 'npm run describe' },
      { file: 'x.md', line: 8, mode: 'check-only', reason: 'needs Docker', text: 'docker compose ps' },
      { file: 'x.md', line: 15, mode: 'background', reason: undefined, text: 'npm run worker' },
    ]);
  });

  it('refuses a sh block without a marker and a marker before another kind of block', () => {
    expect(() => shellBlocks('x.md', '```sh\nls\n```')).toThrow(DocBlockError);
    expect(() => shellBlocks('x.md', '<!-- run -->\n```text\nls\n```')).toThrow(/marker before a text block/);
    expect(() => shellBlocks('x.md', '<!-- run -->\nprose\n```sh\nls\n```')).toThrow(/not directly followed/);
  });

  it('joins continued lines and drops comments', () => {
    expect(
      commandsOf("curl -s 'x' \\\n  --data-binary 'SELECT 1'   # a query\n# only a comment\n\nnpm run status"),
    ).toEqual(["curl -s 'x' --data-binary 'SELECT 1'", 'npm run status']);
  });

  it('every workshop page parses, and the modules come in order after the index', () => {
    const pages = workshopPages(resolve(import.meta.dirname, '../../docs/workshop'));
    expect(pages.map((p) => p.file)).toEqual([
      'README.md',
      '01-start-and-tour.md',
      '02-read-the-pipeline.md',
      '03-add-a-step.md',
      '04-add-a-window.md',
      '05-failure-and-recovery.md',
      '06-rescale.md',
      '07-performance.md',
    ]);
    const blocks = pages.flatMap((p) => shellBlocks(p.file, p.text));
    expect(blocks.filter((b) => b.mode === 'check-only' && !b.reason)).toEqual([]);
    expect(blocks.filter((b) => b.mode === 'run').length).toBeGreaterThan(20);
  });
});
