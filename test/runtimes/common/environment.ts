/**
 * Reading `CLERK_*` the way each runtime provides them: `Bun.env`, `Deno.env` with full, partial
 * (`--allow-env=CLERK_*`) and no permission, and clerkMiddleware() reading them. The driver starts
 * the runtime with the emulator's keys in its environment (CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, CLERK_API_URL).
 */
import assert from 'node:assert/strict';
import { createClerkAuth } from 'clerk-edge';
import { clerkMiddleware } from 'clerk-edge/hono';
import { bearer, createApp, optionsFor, type Scenario, signedInUser, withServer } from './app.js';

/** The runtime's own environment API, handed over by its entry (../bun/main.ts, ../deno/main.ts). */
export interface EnvironmentAccess {
  /** `Bun.env`, `Deno.env`: used in scenario names. */
  readonly label: string;
  read(name: string): string | undefined;
  /** The whole environment (`Deno.env.toObject()`); throws where the runtime refuses it. */
  readAll(): Record<string, string | undefined>;
}

/** With permission to read the variables: no options at all, in the core and through clerkMiddleware(). */
export function environmentScenarios(env: EnvironmentAccess): Scenario[] {
  return [
    {
      name: `reads CLERK_* from ${env.label} when createClerkAuth() is given no options`,
      async run({ emulator }) {
        assert.equal(env.read('CLERK_SECRET_KEY'), emulator.info.secretKey, 'the driver set the environment');
        const user = await signedInUser(emulator, 'user_env');
        const state = await createClerkAuth().authenticateRequest(new Request('http://app.test/', bearer(user.token)));
        assert.equal(state.status, 'signed-in');
        assert.equal(state.toAuth().userId, 'user_env');
      },
    },
    {
      name: `gives clerkMiddleware() its keys from ${env.label}`,
      async run(context) {
        const user = await signedInUser(context.emulator, 'user_hono_env');
        await withServer(context, createApp({}), async (url) => {
          const response = await fetch(`${url}/me`, bearer(user.token));
          assert.equal(response.status, 200);
          assert.equal(((await response.json()) as { userId: string }).userId, 'user_hono_env');
        });
      },
    },
  ];
}

/** `--allow-env=CLERK_*`: each variable is readable, the whole environment is not. */
export function partialPermissionScenarios(env: EnvironmentAccess): Scenario[] {
  return [
    {
      name: `refuses ${env.label}.toObject() but not CLERK_* variables under --allow-env=CLERK_*`,
      async run({ emulator }) {
        assert.throws(() => env.readAll(), { name: 'NotCapable' });
        assert.equal(env.read('CLERK_PUBLISHABLE_KEY'), emulator.info.publishableKey);
      },
    },
    ...environmentScenarios(env),
  ];
}

/** No `--allow-env`: a clear configuration error when created, and explicit options still work. */
export function deniedPermissionScenarios(env: EnvironmentAccess): Scenario[] {
  const expectPermissionError = (error: unknown, secretKey: string) => {
    const { name, code, option, message } = error as Record<string, unknown>;
    assert.deepEqual(
      { name, code, option },
      { name: 'ClerkConfigurationError', code: 'configuration-invalid', option: 'env' },
    );
    assert.match(String(message), /Deno refused to read CLERK_\w+/);
    assert.match(String(message), /--allow-env/);
    assert.ok(!String(message).includes(secretKey), 'the message never contains a key');
    return true;
  };
  return [
    {
      name: `throws a ClerkConfigurationError naming --allow-env when createClerkAuth() cannot read ${env.label}`,
      async run({ emulator }) {
        assert.throws(() => env.read('CLERK_SECRET_KEY'), { name: 'NotCapable' });
        const { secretKey, publishableKey, url } = emulator.info;
        assert.throws(
          () => createClerkAuth({ secretKey, publishableKey, apiUrl: url }),
          (error) => expectPermissionError(error, secretKey),
        );
      },
    },
    {
      name: `throws the same error when clerkMiddleware() is created, not on each request, without ${env.label}`,
      async run({ emulator }) {
        assert.throws(
          () => clerkMiddleware(),
          (error) => expectPermissionError(error, emulator.info.secretKey),
        );
      },
    },
    {
      name: 'needs no environment permission when every key is an option and env is {}',
      async run(context) {
        const user = await signedInUser(context.emulator, 'user_no_env');
        await withServer(context, createApp(optionsFor(context.emulator.info)), async (url) => {
          const response = await fetch(`${url}/me`, bearer(user.token));
          assert.equal(response.status, 200);
          assert.equal(((await response.json()) as { userId: string }).userId, 'user_no_env');
        });
      },
    },
  ];
}
