/**
 * A doc block is a test: every ```ts/```tsx block in README.md and docs/*.md is written to
 * test/docs/.generated/ (gitignored) and type-checked with the repository's compiler options,
 * `clerk-edge/*` mapped to the sources. An error is reported at its markdown line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allBlocks } from './extract.js';

const root = new URL('../..', import.meta.url).pathname;
const generated = join(root, 'test/docs/.generated');
const blocks = allBlocks(root);
const errors = new Map<string, string[]>();

beforeAll(() => {
  rmSync(generated, { recursive: true, force: true });
  mkdirSync(generated, { recursive: true });
  for (const block of blocks) writeFileSync(join(generated, block.file), block.text);
  let output = '';
  try {
    execFileSync(
      join(root, 'node_modules/.bin/tsc'),
      ['--noEmit', '-p', 'test/docs/tsconfig.json', '--pretty', 'false'],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
      },
    );
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  for (const line of output.split('\n')) {
    const match = /^test\/docs\/\.generated\/([^(]+)\((\d+),\d+\): (.*)$/.exec(line);
    const block = blocks.find((candidate) => candidate.file === match?.[1]);
    if (!match || !block) {
      if (line.trim() !== '') errors.set('other', [...(errors.get('other') ?? []), line]);
      continue;
    }
    const [name, fence] = block.where.split(':');
    const at = `${name}:${Number(fence) + Number(match[2]) - block.offset}`;
    errors.set(block.file, [...(errors.get(block.file) ?? []), `${at}: ${match[3]}`]);
  }
}, 120_000);

describe('the documentation', () => {
  it('has TypeScript blocks to check in the README and in every guide', () => {
    const files = new Set(blocks.map((block) => block.where.split(':')[0]));
    // Every guide but the benchmark report (which shows results, not code) has code to check.
    const guides = readdirSync(new URL('../../docs/', import.meta.url))
      .filter((file) => file !== 'performance.md')
      .map((file) => `docs/${file}`);
    expect([...files].sort()).toEqual(['README.md', ...guides].sort());
  });

  it.each(blocks.map((block) => [block.where, block.file]))('type-checks the block at %s', (_where, file) => {
    expect(errors.get(file) ?? []).toEqual([]);
  });

  it('produces no compiler error outside the blocks', () => {
    expect(errors.get('other') ?? []).toEqual([]);
  });
});
