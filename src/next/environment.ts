import type { EnvironmentRecord } from '../core/config.js';

/**
 * The environment of a Next.js server: `process.env` (Next passes it to the edge runtime too)
 * unless one is given, with `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY` as the fallback of
 * `CLERK_PUBLISHABLE_KEY`, the name Clerk's Next.js guides use. Read per field, so setting one
 * never hides another.
 */
export function nextEnvironment(given?: EnvironmentRecord): EnvironmentRecord {
  const env = given ?? (globalThis as { process?: { env?: EnvironmentRecord } }).process?.env ?? {};
  if (environmentString(env, 'CLERK_PUBLISHABLE_KEY') !== undefined) return env;
  const fallback = environmentString(env, 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY');
  return fallback === undefined ? env : { ...env, CLERK_PUBLISHABLE_KEY: fallback };
}

/** A non-empty string variable of the environment. */
export function environmentString(env: EnvironmentRecord, name: string): string | undefined {
  const value = env[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
