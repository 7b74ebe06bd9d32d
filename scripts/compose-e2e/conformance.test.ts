/**
 * Static checks of the stand-in images' sources (no engine needed): every image the project pins
 * has a stand-in with a valid conformance list whose lines cite a public source, and the
 * list covers user, workdir, entry point and tools. The images themselves are checked against
 * the lists by `npm run test:compose` (scripts/compose-e2e/conformance.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConformance } from './conformance';
import { pinnedImages, ROOT, tagVersion } from './standins';

const images = await pinnedImages();

describe('stand-in images', () => {
  it('reads every pinned tag from the project files', () => {
    expect(images.map((i) => i.name)).toEqual(['node', 'maven', 'flink', 'kafka', 'clickhouse', 'docker-cli']);
    for (const image of images) expect(tagVersion(image.tag)).toMatch(/^\d+(\.\d+)*$/);
  });

  it.each(images.map((i) => [i.name, i.tag] as const))(
    '%s (%s) has a Dockerfile and a conformance list',
    async (name) => {
      expect(existsSync(join(ROOT, 'docker', 'standins', name, 'Dockerfile'))).toBe(true);
      const list = await readConformance(name);
      const kinds = new Set(list.checks.map((c) => c.kind));
      // What the brief asks every list to pin down: user and uid, workdir, entry point modes, tools.
      expect(kinds).toContain('user');
      expect(kinds).toContain('workdir');
      expect(kinds).toContain('tool');
      expect(kinds.has('run') || kinds.has('started')).toBe(true);
      for (const check of list.checks) expect(check.cite).toMatch(/^https:\/\//);
    },
  );

  it('takes the Node version from the Dockerfile, the one the image runs', () => {
    const node = images.find((i) => i.name === 'node');
    expect(node?.tag).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim$/);
  });
});
