// The in-process levels: one token in, claims out (Token); a Request in, a request state out
// (Request); app.request('/me') through each middleware (Hono). Every contender gets the same
// inputs; the floor is jose with a key imported before timing.
import { verifyToken as clerkVerifyToken, createClerkClient } from '@clerk/backend';
import { jwtVerify } from 'jose';
import { createClerkAuth, type ClerkAuth } from '../src/core/authenticate.js';
import type { RequestState } from '../src/core/state.js';
import { APP_LABELS, buildApp, type AppKind } from './apps.js';
import { bearer, ms, SETTINGS, timingRow, times, variantName, type TokenMode } from './context.js';
import { CLERK_SDK_EXTRA, type ClerkEdgeVariant } from './fixtures.js';
import { check, measure, type Contender, type Round } from './harness.js';
import type { TokenBench } from './setup.js';

// ---------------------------------------------------------------------------------------------
// Token level: one token in, claims out. No Request, no framework.

function joseFloor({ tokenFor, floorKey }: TokenBench, mode: TokenMode): Contender {
  return {
    id: 'jose',
    setup: () => ({
      warm: (i) => jwtVerify(tokenFor(mode, 'warm', i), floorKey, { algorithms: ['RS256'] }),
      op: async (i) => {
        const { payload } = await jwtVerify(tokenFor(mode, 'op', i), floorKey, { algorithms: ['RS256'] });
        check(typeof payload.sub === 'string', 'jose did not verify');
      },
    }),
  };
}

/**
 * One contender per clerk-edge configuration: a fresh authenticator per round, and `run` (warm-up or
 * timed call `i`) must answer signed in.
 */
function clerkEdgeContenders(
  { keys, variants }: TokenBench,
  method: string,
  run: (auth: ClerkAuth, phase: 'warm' | 'op', i: number) => Promise<RequestState>,
): Contender[] {
  return variants.map((variant) => ({
    id: `clerk-edge.${variant.key}`,
    setup: (): Round => {
      const auth = createClerkAuth({ ...keys, env: {}, ...variant.options });
      return {
        warm: (i) => run(auth, 'warm', i),
        op: async (i) => {
          const state = await run(auth, 'op', i);
          check(state.status === 'signed-in', `clerk-edge ${method}: ${state.reason}`);
        },
      };
    },
  }));
}

/** Token level: the floor, clerk-edge's verifySessionToken per configuration, @clerk/backend's verifyToken. */
export async function tokenLevel(bench: TokenBench): Promise<void> {
  const { keys, variants, tokenFor } = bench;
  for (const mode of ['fresh', 'repeated'] as const) {
    const contenders: Contender[] = [joseFloor(bench, mode)];
    contenders.push(
      ...clerkEdgeContenders(bench, 'verifySessionToken', (auth, phase, i) =>
        auth.verifySessionToken(tokenFor(mode, phase, i)),
      ),
    );
    contenders.push({
      id: 'clerk',
      setup: () => {
        const options = { secretKey: keys.secretKey, apiUrl: keys.apiUrl };
        return {
          warm: (i) => clerkVerifyToken(tokenFor(mode, 'warm', i), options),
          op: async (i) => {
            const payload = await clerkVerifyToken(tokenFor(mode, 'op', i), options);
            check(typeof payload.sub === 'string', 'Clerk verifyToken did not verify');
          },
        };
      },
    });
    const result = await measure(contenders, SETTINGS);
    const floor = result.get('jose')!;
    const clerk = result.get('clerk')!;
    timingRow(
      'Token',
      `token.jose.${mode}`,
      'jose `jwtVerify`, key pre-imported (floor)',
      mode,
      'jose.jwtVerify(token, importedKey, { algorithms: ["RS256"] }): signature and exp/nbf, nothing else.',
      floor,
      'floor (anchor)',
    );
    for (const variant of variants) {
      const timing = result.get(`clerk-edge.${variant.key}`)!;
      timingRow(
        'Token',
        `token.clerk-edge.${variant.key}.${mode}`,
        variantName('clerk-edge `verifySessionToken`', variant),
        mode,
        'createClerkAuth().verifySessionToken(token): header checks, key by kid from the cached JWKS, signature, exp/nbf/iat/iss/sub.',
        timing,
        `${times(timing.meanUs / floor.meanUs)} floor; ${times(clerk.meanUs / timing.meanUs)} faster than Clerk \`verifyToken\``,
      );
    }
    timingRow(
      'Token',
      `token.clerk.${mode}`,
      '@clerk/backend `verifyToken`',
      mode,
      'verifyToken(token, { secretKey, apiUrl }) from @clerk/backend: JWKS from its module cache, key imported per call, signature and claims.',
      clerk,
      `${times(clerk.meanUs / floor.meanUs)} floor`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Request level: a Request with `Authorization: Bearer <token>` in, a request state out.

/** Request level: the floor, clerk-edge's and @clerk/backend's authenticateRequest on pre-built requests. */
export async function requestLevel(bench: TokenBench): Promise<void> {
  const { keys, variants, requests } = bench;
  for (const mode of ['fresh', 'repeated'] as const) {
    const contenders: Contender[] = [joseFloor(bench, mode)];
    contenders.push(
      ...clerkEdgeContenders(bench, 'authenticateRequest', (auth, phase, i) =>
        auth.authenticateRequest(requests[mode][phase][i]!),
      ),
    );
    contenders.push({
      id: 'clerk',
      setup: () => {
        const clerk = createClerkClient({ ...keys, ...CLERK_SDK_EXTRA });
        return {
          warm: (i) => clerk.authenticateRequest(requests[mode].warm[i]!),
          op: async (i) => {
            const state = await clerk.authenticateRequest(requests[mode].op[i]!);
            check(state.status === 'signed-in', `Clerk authenticateRequest: ${state.reason} ${state.message}`);
          },
        };
      },
    });
    const result = await measure(contenders, SETTINGS);
    const floor = result.get('jose')!;
    const clerk = result.get('clerk')!;
    timingRow(
      'Request',
      `request.jose.${mode}`,
      'jose `jwtVerify` (floor, same round)',
      mode,
      "The floor again, interleaved with this level's contenders (the ratio base for the 1.1× target).",
      floor,
      'floor (anchor)',
    );
    for (const variant of variants) {
      const timing = result.get(`clerk-edge.${variant.key}`)!;
      timingRow(
        'Request',
        `request.clerk-edge.${variant.key}.${mode}`,
        variantName('clerk-edge `authenticateRequest`', variant),
        mode,
        'createClerkAuth().authenticateRequest(request): credential extraction (header, cookies) and session verification.',
        timing,
        `${times(timing.meanUs / floor.meanUs)} floor; ${times(clerk.meanUs / timing.meanUs)} faster than Clerk`,
      );
    }
    timingRow(
      'Request',
      `request.clerk.${mode}`,
      '@clerk/backend `authenticateRequest`',
      mode,
      'createClerkClient({ secretKey, publishableKey, apiUrl }).authenticateRequest(request), client created once.',
      clerk,
      `${times(clerk.meanUs / floor.meanUs)} floor`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Hono level: app.request('/me') through the middleware and a route that requires a user.

function honoContender(
  { keys, tokenFor }: TokenBench,
  id: string,
  kind: AppKind,
  mode: TokenMode,
  variant?: ClerkEdgeVariant,
): Contender {
  return {
    id,
    setup: () => {
      const app = buildApp(kind, keys, variant?.options);
      return {
        warm: async (i) => app.request('/me', { headers: bearer(tokenFor(mode, 'warm', i)) }),
        op: async (i) => {
          const response = await app.request('/me', { headers: bearer(tokenFor(mode, 'op', i)) });
          check(response.status === 200, `${id}: status ${response.status}`);
        },
      };
    },
  };
}

/** Hono level: no middleware, clerk-edge/hono per configuration, @clerk/hono. */
export async function honoLevel(bench: TokenBench): Promise<void> {
  const { variants } = bench;
  for (const mode of ['fresh', 'repeated'] as const) {
    const contenders = [
      honoContender(bench, 'none', 'none', mode),
      ...variants.map((variant) => honoContender(bench, `clerk-edge.${variant.key}`, 'clerk-edge', mode, variant)),
      honoContender(bench, 'clerk-hono', 'clerk-hono', mode),
    ];
    const result = await measure(contenders, SETTINGS);
    const none = result.get('none')!;
    const clerk = result.get('clerk-hono')!;
    timingRow(
      'Hono',
      `hono.none.${mode}`,
      APP_LABELS.none,
      mode,
      'app.request("/me") with a handler that returns JSON: what Hono itself costs.',
      none,
      `${times(clerk.meanUs / none.meanUs)} faster than @clerk/hono`,
    );
    for (const variant of variants) {
      const timing = result.get(`clerk-edge.${variant.key}`)!;
      timingRow(
        'Hono',
        `hono.clerk-edge.${variant.key}.${mode}`,
        variantName(APP_LABELS['clerk-edge'], variant),
        mode,
        'app.request("/me"): clerkMiddleware() + requireAuth() + getAuth(c).',
        timing,
        `${times(clerk.meanUs / timing.meanUs)} faster than @clerk/hono; +${ms(timing.meanUs - none.meanUs)} over no middleware`,
      );
    }
    timingRow(
      'Hono',
      `hono.clerk-hono.${mode}`,
      APP_LABELS['clerk-hono'],
      mode,
      'app.request("/me"): @clerk/hono clerkMiddleware() + getAuth(c) check in the route.',
      clerk,
      `anchor; +${ms(clerk.meanUs - none.meanUs)} over no middleware`,
    );
  }
}
