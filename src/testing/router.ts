import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

import { authenticationInvalid, clerkErrors, defaultErrorBody, formParamUnknown, resourceNotFound } from './errors.js';
import { isObject } from './machine-tokens.js';
import { CLERK_EMULATOR_ROUTES } from './routes.js';
import type { ClerkResourceRoute } from './resources/index.js';
import type { ClerkEmulatorRoute as CoreRoute } from './routes.js';
import type { EmulatorState } from './state.js';

/** A route id: the core routes and the Backend API resource groups. */
type ClerkEmulatorRoute = CoreRoute | ClerkResourceRoute;

// The HTTP frame every route shares: request log, fault injection, bearer check, body validation.

export type EmulatorContext = Context<{ Bindings: HttpBindings }>;

/** Who may call a route: the instance secret key, it or the machine secret key, or anyone. */
export type RouteAuth = 'secret' | 'secret-or-machine' | 'public';

export interface RouteHandler {
  auth: RouteAuth;
  /** Allowed body fields, for routes whose spec request schema has `additionalProperties: false`. */
  params?: readonly string[];
  /**
   * A Frontend API (browser) route: answered only at its own path (no alias without `/v1`), and its
   * body (form-encoded or empty) is not checked as JSON.
   */
  frontend?: boolean;
  handle: (ctx: RouteContext) => Response | Promise<Response>;
}

export interface RouteContext {
  c: EmulatorContext;
  body: Record<string, unknown>;
  param(name: string): string;
}

/** Handlers for some of {@link CLERK_EMULATOR_ROUTES}; each module of routes contributes one table. */
export type RouteTable = Partial<Record<CoreRoute, RouteHandler>>;

export const json = (c: EmulatorContext, body: unknown, status = 200) =>
  c.json(body as object, status as ContentfulStatusCode);

export const notFound = (c: EmulatorContext, what: string) =>
  json(c, resourceNotFound(`No ${what} was found with the given identifier.`), 404);

function parseBearer(header: string | undefined): string | undefined {
  const match = /^bearer ([^\s]+)$/i.exec(header ?? '');
  return match?.[1];
}

function bearerOf(state: EmulatorState, c: EmulatorContext): 'secret' | 'machine' | 'none' {
  const token = parseBearer(c.req.header('authorization'));
  if (token === undefined) return 'none';
  if (token === state.secretKey) return 'secret';
  if (token === state.machineSecretKey) return 'machine';
  return 'none';
}

/** The body as JSON; text that is not JSON is kept (for the request log) but marked invalid. */
async function readBody(c: EmulatorContext): Promise<{ parsed: unknown; valid: boolean }> {
  const raw = await c.req.text();
  if (raw.trim() === '') return { parsed: undefined, valid: true };
  try {
    return { parsed: JSON.parse(raw) as unknown, valid: true };
  } catch {
    return { parsed: raw, valid: false };
  }
}

function sleep(state: EmulatorState, ms: number): Promise<void> {
  const { signal } = state.closing;
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** The answer a fault dictates, or undefined when the request should be handled normally (after any delay). */
export async function applyFault(state: EmulatorState, route: ClerkEmulatorRoute, c: EmulatorContext) {
  const fault = state.faults.take(route);
  if (!fault) return undefined;
  if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(state, fault.delayMs);
  if (fault.drop) {
    c.env?.incoming?.socket?.destroy();
    // Nothing reaches the client; this Response only completes the handler.
    return new Response(null, { status: 500 });
  }
  const headers = { ...fault.headers };
  if (fault.malformed) {
    return new Response('{"object": "token", "jwt": ', {
      status: fault.status ?? 200,
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    });
  }
  if (fault.status !== undefined) {
    const body = fault.body === undefined ? defaultErrorBody(fault.status) : fault.body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    return new Response(text, { status: fault.status, headers: { 'content-type': type, ...headers } });
  }
  return undefined;
}

export function record(state: EmulatorState, route: ClerkEmulatorRoute | null, c: EmulatorContext, body: unknown) {
  const { method, path } = c.req;
  const headers = Object.fromEntries(c.req.raw.headers);
  state.requests.push({ route, method, path, query: c.req.query(), headers, body });
}

/** The shared checks, in Clerk's order: fault, authentication, body shape, unknown fields; then the handler. */
function frame(state: EmulatorState, route: CoreRoute, handler: RouteHandler) {
  const { auth, params, handle, frontend } = handler;
  return async (c: EmulatorContext) => {
    const body = await readBody(c);
    record(state, route, c, body.parsed);
    const faulted = await applyFault(state, route, c);
    if (faulted) return faulted;
    const bearer = bearerOf(state, c);
    if (auth === 'secret' && bearer !== 'secret') return json(c, authenticationInvalid(), 401);
    if (auth === 'secret-or-machine' && bearer === 'none') {
      const message =
        'Unable to authenticate the request, you need to supply an active secret key or machine secret key.';
      return json(c, authenticationInvalid(message), 401);
    }
    if (frontend) return handle({ c, body: {}, param: (name) => c.req.param(name) ?? '' });
    if (!body.valid || (body.parsed !== undefined && !isObject(body.parsed))) {
      return json(
        c,
        clerkErrors('malformed_request', 'Malformed request', 'The request body must be a JSON object.'),
        400,
      );
    }
    const unknown = params && Object.keys(body.parsed ?? {}).find((name) => !params.includes(name));
    if (unknown !== undefined) return json(c, formParamUnknown(unknown), 400);
    return handle({
      c,
      body: (body.parsed as Record<string, unknown> | undefined) ?? {},
      param: (name) => c.req.param(name) ?? '',
    });
  };
}

/**
 * The emulator's Hono app: every route of {@link CLERK_EMULATOR_ROUTES} mounted from `tables` (each
 * route must be handled by exactly one table), then `mount` (sub-apps such as the resource groups, which
 * must come after the core routes so their 501 fallback shadows none of them), then the 404 and 500
 * answers in Clerk's error shape.
 */
export function buildApp(
  state: EmulatorState,
  tables: readonly RouteTable[],
  mount?: (app: Hono<{ Bindings: HttpBindings }>) => void,
): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  const handlers = new Map<CoreRoute, RouteHandler>();
  for (const table of tables) {
    for (const [route, handler] of Object.entries(table) as [CoreRoute, RouteHandler][]) {
      if (handlers.has(route)) throw new Error(`Clerk emulator: route ${route} is handled twice.`);
      handlers.set(route, handler);
    }
  }
  for (const route of CLERK_EMULATOR_ROUTES) {
    const handler = handlers.get(route);
    if (!handler) throw new Error(`Clerk emulator: route ${route} has no handler.`);
    const [method, pattern] = route.split(' ') as [string, string];
    const legacy = pattern.startsWith('/v1/') && !handler.frontend;
    app.on(method, legacy ? [pattern, pattern.slice(3)] : [pattern], frame(state, route, handler));
  }
  mount?.(app);
  app.notFound(async (c) => {
    record(state, null, c, (await readBody(c)).parsed);
    return c.json(resourceNotFound(`No route matches ${c.req.method} ${c.req.path}.`), 404);
  });
  app.onError((error, c) =>
    c.json(
      clerkErrors(
        'internal_clerk_error',
        'Oops, an unexpected error occurred',
        `Clerk emulator error: ${error.message}`,
      ),
      500,
    ),
  );
  return app;
}
