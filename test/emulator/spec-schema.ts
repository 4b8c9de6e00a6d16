/**
 * Validates response bodies against Clerk's Backend API spec (clerk-bapi-2025-11-10.yml).
 *
 * `expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 200, body)` looks up the response
 * schema the spec gives for that path, method and status and fails the test with Ajv's errors when
 * the body does not match. Paths may be given as in the spec (`/sessions/{session_id}`), as Hono
 * patterns with or without `/v1` (`/v1/sessions/:session_id`), or as concrete request paths
 * (`/v1/sessions/sess_123`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { parse } from 'yaml';

/** Absolute path of the spec, found from this file so tests run from any working directory. */
export const SPEC_PATH = fileURLToPath(new URL('../../spec/clerk-bapi-2025-11-10.yml', import.meta.url));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SPEC_ID = 'clerk-bapi';
// OpenAPI 3.0 formats that only annotate numbers and strings.
const ANNOTATION_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Rewrites the OpenAPI 3.0 dialect into what Ajv (draft-07) understands: `nullable` without `type`
 * is dropped (the schema accepts anything anyway) and boolean `exclusiveMinimum`/`exclusiveMaximum`
 * become their numeric forms.
 */
function toJsonSchemaDialect(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchemaDialect);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchemaDialect(value);
  if (out.nullable !== undefined && out.type === undefined) delete out.nullable;
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else {
        delete out[flag];
      }
    }
  }
  return out;
}

interface Loaded {
  doc: JsonObject;
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const doc = toJsonSchemaDialect(parse(readFileSync(SPEC_PATH, 'utf8')) as Json) as JsonObject;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  // ajv-formats is CommonJS; depending on interop its default export is the function or wraps it.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
    a: Ajv,
  ) => Ajv;
  addFormats(ajv);
  for (const format of ANNOTATION_FORMATS) ajv.addFormat(format, true);
  ajv.addSchema(doc, SPEC_ID);
  loaded = { doc, ajv, validators: new Map() };
  return loaded;
}

const pointer = (segments: string[]) =>
  `#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;

/** Follows a local `$ref` (`#/components/...`) to its segments and target. */
function follow(doc: JsonObject, ref: string): { segments: string[]; node: Json | undefined } {
  const segments = ref
    .replace(/^#\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Json | undefined = doc;
  for (const segment of segments) node = isObject(node) ? node[segment] : undefined;
  return { segments, node };
}

/** The spec's path template for a spec path, a Hono pattern or a concrete request path. */
export function specPathFor(path: string): string {
  const { doc } = load();
  const paths = doc.paths as JsonObject;
  const normalized = path.replace(/^\/v1(?=\/)/, '').replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
  if (paths[normalized] !== undefined) return normalized;
  const wanted = normalized.split('/');
  const matches = Object.keys(paths).filter((template) => {
    const parts = template.split('/');
    return (
      parts.length === wanted.length &&
      parts.every((part, i) => part === wanted[i] || (/^\{.+\}$/.test(part) && wanted[i] !== ''))
    );
  });
  // Prefer the template with the most literal segments (`/api_keys/verify` over `/api_keys/{apiKeyID}`).
  const literalCount = (template: string) => template.split('/').filter((part) => !part.startsWith('{')).length;
  matches.sort((a, b) => literalCount(b) - literalCount(a));
  const best = matches[0];
  if (best === undefined) throw new Error(`The spec has no path matching ${path}.`);
  return best;
}

/**
 * The JSON pointer (into the spec document) of the response schema for a path, method and status.
 * Throws when the spec defines no such response (no `default` either).
 */
export function responseSchemaPointer(method: string, path: string, status: number): string {
  const { doc } = load();
  const template = specPathFor(path);
  const operation = (doc.paths as JsonObject)[template] as JsonObject;
  const lowerMethod = method.toLowerCase();
  const op = operation[lowerMethod];
  if (!isObject(op)) throw new Error(`The spec has no ${method.toUpperCase()} ${template}.`);
  const responses = op.responses as JsonObject;
  const key =
    responses[String(status)] !== undefined ? String(status) : responses.default !== undefined ? 'default' : undefined;
  if (key === undefined) {
    throw new Error(
      `The spec defines no ${status} response for ${method.toUpperCase()} ${template} (it has ${Object.keys(responses).join(', ')}).`,
    );
  }
  let segments = ['paths', template, lowerMethod, 'responses', key];
  let response = responses[key];
  if (isObject(response) && typeof response.$ref === 'string') {
    const target = follow(doc, response.$ref);
    segments = target.segments;
    response = target.node ?? null;
  }
  const content = isObject(response) && isObject(response.content) ? response.content : undefined;
  const mediaType = content && Object.keys(content).find((type) => type.startsWith('application/json'));
  if (!content || mediaType === undefined) {
    throw new Error(`The spec gives no JSON body for the ${status} response of ${method.toUpperCase()} ${template}.`);
  }
  return pointer([...segments, 'content', mediaType, 'schema']);
}

function validatorFor(ref: string): ValidateFunction {
  const { ajv, validators } = load();
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: `${SPEC_ID}${ref}` });
    validators.set(ref, validate);
  }
  return validate;
}

function expectValid(validate: ValidateFunction, body: unknown, what: string): void {
  const { ajv } = load();
  const valid = validate(body);
  const errors = valid ? [] : ajv.errorsText(validate.errors, { separator: '\n' }).split('\n');
  expect(errors, `${what} does not match the spec:\n${JSON.stringify(body, null, 2)}`).toEqual([]);
}

/**
 * Asserts that `body` matches the spec's response schema for `method` `path` answered with `status`.
 *
 * @example
 * ```ts
 * const res = await fetch(`${emulator.url}/v1/jwks`, { headers });
 * expectMatchesSpec('GET', '/v1/jwks', res.status, await res.json());
 * ```
 */
export function expectMatchesSpec(method: string, path: string, status: number, body: unknown): void {
  expectValid(
    validatorFor(responseSchemaPointer(method, path, status)),
    body,
    `${method.toUpperCase()} ${path} ${status} body`,
  );
}

/**
 * Asserts that `body` matches a named schema of `components/schemas`, e.g. `ClerkErrors` for error
 * answers the spec does not list for a route (such as a 401 from the machine-token routes).
 *
 * @example
 * ```ts
 * expectMatchesComponent('ClerkErrors', await res.json());
 * ```
 */
export function expectMatchesComponent(name: string, body: unknown): void {
  expectValid(validatorFor(pointer(['components', 'schemas', name])), body, `${name} body`);
}

/** Whether `body` matches the spec's response schema (for negative checks of the helper itself). */
export function matchesSpec(method: string, path: string, status: number, body: unknown): boolean {
  return validatorFor(responseSchemaPointer(method, path, status))(body) === true;
}
