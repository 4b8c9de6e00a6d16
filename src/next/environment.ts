import type { EnvironmentRecord } from '../core/config.js';
import { environmentString, platformEnvironment } from '../core/environment.js';

/**
 * The environment of a Next.js server: the runtime's (`process.env`, which Next passes to the
 * edge runtime too) unless one is given, with `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY` as the
 * fallback of `CLERK_PUBLISHABLE_KEY`, the name Clerk's Next.js guides use. Read per field, so
 * setting one never hides another.
 */
export function nextEnvironment(given?: EnvironmentRecord): EnvironmentRecord {
  const env = given ?? platformEnvironment();
  if (environmentString(env, 'CLERK_PUBLISHABLE_KEY') !== undefined) return env;
  const fallback = environmentString(env, 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY');
  return fallback === undefined ? env : { ...env, CLERK_PUBLISHABLE_KEY: fallback };
}
