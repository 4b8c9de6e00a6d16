import type { EnvironmentRecord } from './config.js';
import { ClerkConfigurationError } from './errors.js';

/**
 * A variable of an environment as a non-empty, trimmed string; undefined otherwise (bindings
 * that are not strings, empty values). Every `CLERK_*` fallback is read through this.
 *
 * @example
 * ```ts
 * environmentString({ CLERK_DEBUG: ' true ' }, 'CLERK_DEBUG') // 'true'
 * ```
 */
export function environmentString(env: EnvironmentRecord, name: string): string | undefined {
  const value = env[name];
  return (typeof value === 'string' && value.trim()) || undefined;
}

/** The part of Deno's namespace read here (no dependency on Deno's types). */
interface DenoEnvironment {
  get(name: string): string | undefined;
}

type RuntimeGlobals = {
  Deno?: { env?: DenoEnvironment };
  Bun?: { env?: EnvironmentRecord };
  process?: { env?: EnvironmentRecord };
};

/**
 * The runtime's own environment, where options fall back to `CLERK_*` variables when no `env`
 * option is given: `Deno.env` on Deno, `Bun.env` on Bun, `process.env` on Node and edge
 * runtimes that have it, and an empty record elsewhere (Workers hand their bindings to each
 * request instead). On Deno without `--allow-env`, reading a variable throws a
 * `ClerkConfigurationError` (`option: 'env'`) that names the variable and the flag.
 *
 * @example
 * ```ts
 * import { platformEnvironment } from './environment.js';
 *
 * const secretKey = platformEnvironment().CLERK_SECRET_KEY; // Deno, Bun, Node alike
 * ```
 */
export function platformEnvironment(): EnvironmentRecord {
  const { Deno, Bun, process } = globalThis as RuntimeGlobals;
  // Deno first: it also has a `process` whose `env` throws Deno's raw permission error.
  // Deno's environment is read one variable at a time so that `--allow-env=CLERK_*` is enough
  // (`Deno.env.toObject()` needs access to every variable). A refused read (`NotCapable` on Deno 2,
  // `PermissionDenied` on Deno 1) becomes a configuration error naming the variable and the flag,
  // thrown where the options are resolved.
  if (typeof Deno?.env?.get !== 'function') return Bun?.env ?? process?.env ?? {};
  const env = Deno.env;
  return new Proxy<EnvironmentRecord>(
    {},
    {
      get(_target, name) {
        if (typeof name !== 'string') return undefined;
        try {
          return env.get(name);
        } catch (error) {
          if (!/^(NotCapable|PermissionDenied)$/.test((error as { name: string } | null)?.name as string)) throw error;
          throw new ClerkConfigurationError('env', `Deno refused to read ${name}.`, 'Run with --allow-env=CLERK_*.');
        }
      },
    },
  );
}
