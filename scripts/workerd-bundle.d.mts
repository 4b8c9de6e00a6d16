import type { BuildOptions } from 'esbuild';

export declare const REPOSITORY_ROOT: string;
/** esbuild options that bundle one Worker entry for workerd the way wrangler does. */
export declare function workerdBuildOptions(entry: string): BuildOptions & { write: false };
