// The small HTTP layer every resource module registers its routes through: spec paths in, Hono
// routes out, with the emulator's request log, faults and secret-key check in front of each.
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

import { authenticationInvalid, clerkErrors, formParamInvalid, formParamMissing, resourceNotFound } from '../errors.js';
import type { ClerkSessionJSON } from '../types.js';
import { mergeMetadata, type Metadata, type ResourceStore } from './store.js';

/** A resource route id, `METHOD /v1/<Hono pattern>`, e.g. `'GET /v1/users/:user_id'`; usable with `emulator.fault`. */
export type ClerkResourceRoute = `${'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'} /v1/${string}`;

/** What the resource routes need from the emulator. */
export interface ResourceDeps {
  store: ResourceStore;
  now: () => number;
  secretKey: string;
  /** The emulator's sessions (the sessions and clients groups read them). */
  sessions: () => ClerkSessionJSON[];
  /** Records the request and applies an armed fault; a Response is sent instead of handling the request. */
  before?: (route: ClerkResourceRoute, c: Context, body: unknown) => Promise<Response | undefined>;
}

export interface ResourceRequest {
  c: Context;
  body: Record<string, unknown>;
  param(name: string): string;
  /** One query value (the first), or undefined. */
  query(name: string): string | undefined;
  /** Every value of a repeated query parameter (`?user_id=a&user_id=b`). */
  queries(name: string): string[];
}

export type ResourceHandler = (req: ResourceRequest) => Response | Promise<Response>;

export const send = (c: Context, body: unknown, status = 200) => c.json(body as object, status as ContentfulStatusCode);

export const notFound = (c: Context, what: string) =>
  send(c, resourceNotFound(`No ${what} was found with the given identifier.`), 404);

export const missing = (c: Context, param: string) => send(c, formParamMissing(param), 422);

export const invalid = (c: Context, param: string, detail: string) => send(c, formParamInvalid(param, detail), 422);

export const exists = (c: Context, param: string, longMessage: string) =>
  send(c, clerkErrors('form_identifier_exists', 'already exists', longMessage, { param_name: param }), 422);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Registers resource routes by spec path and remembers which operations are served. */
export class ResourceRouter {
  readonly app = new Hono();
  /** `method /spec/path` of every served operation. */
  readonly served = new Set<string>();
  readonly deps: ResourceDeps;

  constructor(deps: ResourceDeps) {
    this.deps = deps;
  }

  on(method: 'get' | 'post' | 'patch' | 'put' | 'delete', specPath: string, handler: ResourceHandler): void {
    const pattern = specPath.replace(/\{(\w+)\}/g, ':$1');
    const route = `${method.toUpperCase()} /v1${pattern}` as ClerkResourceRoute;
    this.served.add(`${method} ${specPath}`);
    this.app.on(method.toUpperCase(), pattern, async (c) => {
      const raw = await c.req.text();
      let parsed: unknown;
      let valid = true;
      try {
        parsed = raw.trim() === '' ? undefined : (JSON.parse(raw) as unknown);
      } catch {
        parsed = raw;
        valid = false;
      }
      const faulted = await this.deps.before?.(route, c, parsed);
      if (faulted) return faulted;
      const bearer = /^bearer (\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (bearer !== this.deps.secretKey) return send(c, authenticationInvalid(), 401);
      if (!valid || (parsed !== undefined && !isObject(parsed))) {
        return send(
          c,
          clerkErrors('malformed_request', 'Malformed request', 'The request body must be a JSON object.'),
          400,
        );
      }
      const url = new URL(c.req.url);
      return handler({
        c,
        body: (parsed as Record<string, unknown> | undefined) ?? {},
        param: (name) => c.req.param(name) ?? '',
        query: (name) => url.searchParams.get(name) ?? undefined,
        queries: (name) =>
          url.searchParams
            .getAll(name)
            .flatMap((value) => value.split(','))
            .filter((v) => v !== ''),
      });
    });
  }
}

/** Reads `limit` (1–500, default 10) and `offset` (≥ 0, default 0); a Response means they were invalid. */
export function pageOf<T>(req: ResourceRequest, items: T[]): T[] | Response {
  const limit = req.query('limit') === undefined ? 10 : Number(req.query('limit'));
  const offset = req.query('offset') === undefined ? 0 : Number(req.query('offset'));
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    return invalid(req.c, 'limit', 'must be an integer between 1 and 500.');
  if (!Number.isInteger(offset) || offset < 0) return invalid(req.c, 'offset', 'must be a non-negative integer.');
  return items.slice(offset, offset + limit);
}

/**
 * Sorts by `order_by` (`field`, `+field` ascending, `-field` descending; default `fallback`) among the
 * fields a route allows; ties keep creation order in the requested direction. A Response means the field is unknown.
 */
export function orderBy<T>(
  req: ResourceRequest,
  items: T[],
  fields: Record<string, (item: T) => string | number | null>,
  fallback = '-created_at',
): T[] | Response {
  const spec = req.query('order_by') ?? fallback;
  const direction = spec.startsWith('-') ? -1 : 1;
  const field = spec.replace(/^[+-]/, '');
  const key = fields[field];
  if (!key)
    return invalid(
      req.c,
      'order_by',
      `must be one of ${Object.keys(fields).join(', ')}, optionally prefixed with + or -.`,
    );
  return items
    .map((item, index) => ({ item, index, value: key(item) }))
    .sort((a, b) => {
      if (a.value !== b.value) {
        if (a.value === null) return 1;
        if (b.value === null) return -1;
        return (a.value < b.value ? -1 : 1) * direction;
      }
      return (a.index - b.index) * direction;
    })
    .map(({ item }) => item);
}

/** A list answer: the spec's `{ data, total_count }`, or a bare array for the operations that return one unless `paginated=true`. */
export function listAnswer<T>(
  req: ResourceRequest,
  all: T[],
  toJson: (item: T) => unknown,
  shape: 'paginated' | 'array-unless-paginated',
): Response {
  const page = pageOf(req, all);
  if (page instanceof Response) return page;
  const data = page.map(toJson);
  if (shape === 'array-unless-paginated' && req.query('paginated') !== 'true') return send(req.c, data);
  return send(req.c, { data, total_count: all.length });
}

/** Reads an optional metadata object field; a Response means it was not an object. */
export function metadataField(req: ResourceRequest, name: string): Record<string, unknown> | undefined | Response {
  const value = req.body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (isObject(parsed)) return parsed;
    } catch {
      // fall through
    }
  }
  if (isObject(value)) return value;
  return invalid(req.c, name, 'must be an object.');
}

/** The metadata fields a record can have, by body field name. */
const METADATA_FIELDS = {
  public_metadata: 'publicMetadata',
  private_metadata: 'privateMetadata',
  unsafe_metadata: 'unsafeMetadata',
} as const;
type MetadataKey = (typeof METADATA_FIELDS)[keyof typeof METADATA_FIELDS];

/**
 * Applies the request's metadata fields to `record`, only for the fields `record` has: `merge` is
 * Clerk's deep merge of the metadata endpoints (`null` deletes a key), `replace` is what create and
 * update do. A Response means a field was not an object, and nothing was changed.
 */
export function applyMetadataFields<R extends Partial<Record<MetadataKey, Metadata>>>(
  req: ResourceRequest,
  record: R,
  how: 'merge' | 'replace',
): Response | undefined {
  const patches: [MetadataKey, Metadata][] = [];
  for (const [field, key] of Object.entries(METADATA_FIELDS) as [string, MetadataKey][]) {
    if (!(key in record)) continue;
    const patch = metadataField(req, field);
    if (patch instanceof Response) return patch;
    if (patch !== undefined) patches.push([key, patch]);
  }
  for (const [key, patch] of patches)
    (record as Record<MetadataKey, Metadata>)[key] = mergeMetadata(record[key] ?? {}, patch);
  return undefined;
}

/** `value` when it is a string, `null` when null, undefined when absent; a Response when of another type. */
export function stringField(req: ResourceRequest, name: string): string | null | undefined | Response {
  const value = req.body[name];
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string') return value;
  return invalid(req.c, name, 'must be a string.');
}

/** Matches a case-insensitive substring query against any of the given values. */
export const matchesQuery = (query: string | undefined, values: Array<string | null | undefined>) =>
  query === undefined || values.some((value) => value?.toLowerCase().includes(query.toLowerCase()));
