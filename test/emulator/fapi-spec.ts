/**
 * Reads Clerk's Frontend API spec (clerk-fapi-2025-11-10.yml) for the browser routes the emulator
 * serves: which statuses and query parameters an operation documents, and whether an error body
 * matches the spec's ClerkErrors schema.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { parse } from 'yaml';

const FAPI_SPEC_PATH = fileURLToPath(new URL('../../spec/clerk-fapi-2025-11-10.yml', import.meta.url));

interface Parameter {
  name: string;
  in: string;
  schema?: { type?: string; enum?: string[]; default?: string };
}

interface Operation {
  parameters?: Parameter[];
  responses: Record<string, unknown>;
}

let doc: { paths: Record<string, Record<string, Operation>> } | undefined;
let clerkErrors: ValidateFunction | undefined;

function load() {
  doc ??= parse(readFileSync(FAPI_SPEC_PATH, 'utf8')) as NonNullable<typeof doc>;
  return doc;
}

/** The spec's operation for `method` `path` (a spec path such as `/v1/client/handshake`); throws if absent. */
export function fapiOperation(method: string, path: string): Operation {
  const operation = load().paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`The FAPI spec has no ${method} ${path}.`);
  return operation;
}

/** A documented query parameter of an operation; throws if the spec does not define it. */
export function fapiQueryParameter(method: string, path: string, name: string): Parameter {
  const parameter = fapiOperation(method, path).parameters?.find((p) => p.in === 'query' && p.name === name);
  if (!parameter) throw new Error(`The FAPI spec defines no query parameter ${name} for ${method} ${path}.`);
  return parameter;
}

/** Asserts that the spec documents `status` for the operation. */
export function expectFapiStatus(method: string, path: string, status: number): void {
  expect(Object.keys(fapiOperation(method, path).responses), `${method} ${path} documents ${status}`).toContain(
    String(status),
  );
}

/** Asserts a documented error status whose body matches the FAPI spec's ClerkErrors schema. */
export function expectFapiError(method: string, path: string, status: number, body: unknown): void {
  expectFapiStatus(method, path, status);
  if (!clerkErrors) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    ajv.addSchema(load(), 'clerk-fapi');
    clerkErrors = ajv.compile({ $ref: 'clerk-fapi#/components/schemas/ClerkErrors' });
  }
  const valid = clerkErrors(body);
  expect(valid ? [] : clerkErrors.errors, `${method} ${path} ${status} body matches ClerkErrors`).toEqual([]);
}
