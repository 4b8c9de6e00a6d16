export function packTarball(root: string, dest: string): { tarball: string; files: string[] };
export function scratchApp(dir: string, tarball: string, repoNodeModules: string, packages?: string[]): string;
export function entriesOf(pkg: { exports: Record<string, unknown> }): string[];
export function loadEntry(
  dir: string,
  specifier: string,
  mode: 'esm' | 'cjs',
): { names: string[]; error?: undefined; message?: undefined } | { names?: undefined; error: string; message: string };
