// Small fetch wrapper for talking to the emulator over real HTTP in tests.
import type { ClerkEmulator } from '../../src/testing/index.js';

export interface BapiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface BapiOptions {
  body?: unknown;
  /** Bearer token; default the emulator's secret key; `null` sends no Authorization header. */
  bearer?: string | null;
  headers?: Record<string, string>;
}

/** Sends one request to the emulator and parses its JSON answer. */
export async function bapi(
  emulator: ClerkEmulator,
  method: string,
  path: string,
  options: BapiOptions = {},
): Promise<BapiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.bearer === undefined ? emulator.secretKey : options.bearer;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(`${emulator.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Narrows an unknown JSON body for property access in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON paths
export const obj = (value: unknown) => value as Record<string, any>;
