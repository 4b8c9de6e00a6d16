// Packs clerk-edge the way `npm publish` would and lays the tarball out in scratch apps, so tests
// meet the package as a user does: from node_modules, through its exports map, with only the
// packages the user installed. Used by test/package and scripts/compat.mjs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What `npm pack` needs from the repository: the build inputs and the shipped files. */
const PACK_INPUTS = [
  'package.json',
  'README.md',
  'LICENSE',
  'docs',
  'src',
  'tsup.config.ts',
  'tsconfig.json',
  'scripts',
];

/**
 * Runs `npm pack` (and so `prepack`, the build) on a copy of the repository in `dest`, never
 * touching the repository's own dist/. Returns the tarball's path and the files it holds.
 */
export function packTarball(root, dest) {
  const copy = join(dest, 'source');
  mkdirSync(copy, { recursive: true });
  for (const name of PACK_INPUTS) cpSync(join(root, name), join(copy, name), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  execFileSync('npm', ['pack', '--pack-destination', dest, '--silent'], { cwd: copy, stdio: 'pipe' });
  const name = readdirSync(dest).find((file) => file.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack produced no tarball in ${dest}`);
  const tarball = join(dest, name);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
  return { tarball, files };
}

/**
 * A scratch app in `dir` whose node_modules holds the unpacked tarball as `clerk-edge`, plus
 * links to the repository's copies of clerk-edge's dependencies and of `packages` (what the
 * user installed, e.g. `['hono']`). Nothing else is resolvable from it.
 */
export function scratchApp(dir, tarball, repoNodeModules, packages = []) {
  const modules = join(dir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true }));
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  renameSync(join(dir, 'package'), join(modules, 'clerk-edge'));
  for (const name of ['jose', 'openapi-fetch', ...packages]) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(repoNodeModules, name), join(modules, name), 'dir');
  }
  return dir;
}

/** Public entries of the package, from its exports map. */
export function entriesOf(pkg) {
  return Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? 'clerk-edge' : `clerk-edge/${key.slice(2)}`));
}

/**
 * Loads `specifier` in a fresh Node process of the scratch app, with `import` (ESM) or `require`
 * (CJS). Returns the sorted export names, or the error code and message when it does not load.
 */
export function loadEntry(dir, specifier, mode) {
  const load =
    mode === 'esm'
      ? `const m = await import(${JSON.stringify(specifier)});`
      : `const m = require(${JSON.stringify(specifier)});`;
  const script = `${load} process.stdout.write(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort()));`;
  const args = mode === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script];
  try {
    return { names: JSON.parse(execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' })) };
  } catch (error) {
    const stderr = String(error.stderr ?? '');
    return {
      error: /code: '([A-Z_]+)'/.exec(stderr)?.[1] ?? 'unknown',
      message: stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr,
    };
  }
}
