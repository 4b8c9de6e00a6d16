import { ClerkEdgeError, type ClerkEdgeErrorCode } from '../core/errors.js';

/**
 * Stable codes of {@link ClerkApiError}: switch on these, never on the message.
 * - `api-response-error`: the Backend API answered with a non-2xx status (see `status`, `errors`).
 * - `api-rate-limited`: 429, or a call refused locally because the endpoint is still backing off.
 * - `api-network-error`: the request did not get an answer (DNS, connection refused or reset).
 * - `api-timeout`: no complete answer within `timeoutMs`.
 * - `api-malformed-response`: a 2xx whose body is not JSON.
 * - `api-invalid-path-parameter`: a path parameter is empty, `.`, `..` (also percent-encoded) or holds
 *   `/` or `\`, so the URL would name another endpoint; refused before any request.
 */
export type ClerkApiErrorCode = Extract<ClerkEdgeErrorCode, `api-${string}`>;

/** One entry of Clerk's `errors` array. */
export interface ClerkApiErrorItem {
  code: string;
  message: string;
  long_message?: string;
  meta?: Record<string, unknown>;
}

const HINTS: Record<ClerkApiErrorCode, string> = {
  'api-response-error': 'See `errors`.',
  'api-rate-limited': 'Retry after `retryAfterSeconds`.',
  'api-network-error': 'Check CLERK_API_URL and retry.',
  'api-timeout': 'Retry, or raise `timeoutMs`.',
  'api-malformed-response': 'Retry later.',
  'api-invalid-path-parameter': 'Pass the id of one resource; check where the value comes from.',
};

export interface ClerkApiErrorInit {
  /** `METHOD /spec/path/{template}` of the operation. */
  endpoint: string;
  status?: number | undefined;
  errors?: ClerkApiErrorItem[] | undefined;
  traceId?: string | undefined;
  retryAfterSeconds?: number | undefined;
  /** Strings that must never appear in the message (the secret key). */
  redact: string[];
  /** For `api-invalid-path-parameter`: the name (never the value) of the refused parameter. */
  parameter?: string;
}

/**
 * Every failure of a `clerk-edge/api` call. Tell kinds apart by `code`; for `api-response-error`
 * read `status` and Clerk's own `errors[].code`. Never contains the secret key.
 *
 * @example
 * ```ts
 * import { ClerkApiError, createClerkClient } from 'clerk-edge/api';
 *
 * const clerk = createClerkClient();
 * try {
 *   await clerk.users.get({ path: { user_id: 'user_missing' } });
 * } catch (error) {
 *   if (error instanceof ClerkApiError && error.status === 404) console.info('no such user', error.traceId);
 *   else throw error;
 * }
 * ```
 */
export class ClerkApiError extends ClerkEdgeError {
  declare readonly code: ClerkApiErrorCode;
  /** `METHOD /path/{template}` of the failed operation. */
  readonly endpoint: string;
  /** HTTP status, when the Backend API answered. */
  readonly status: number | undefined;
  /** Clerk's error entries (empty when there was no answer or no Clerk error body). */
  readonly errors: ClerkApiErrorItem[];
  /** `clerk_trace_id` of the answer, to quote to Clerk support. */
  readonly traceId: string | undefined;
  /** From `Retry-After` on 429/503 answers, or what remains of a local back-off. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ClerkApiErrorCode, init: ClerkApiErrorInit) {
    const first = init.errors?.[0];
    const detail = first ? `: ${first.long_message ?? first.message} (${first.code})` : '';
    const what =
      code === 'api-network-error'
        ? 'unreachable'
        : code === 'api-timeout'
          ? 'timed out'
          : code === 'api-malformed-response'
            ? 'answered with a body that is not JSON'
            : code === 'api-invalid-path-parameter'
              ? `was not called: path parameter ${init.parameter ?? '?'} is empty, a dot segment or holds a slash`
              : `answered ${init.status ?? 429}${detail}`;
    super(code, redact(`Clerk Backend API ${init.endpoint} ${what}.`, init.redact), HINTS[code]);
    // Explicit, so minifiers that rename classes keep the name.
    this.name = 'ClerkApiError';
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.errors = (init.errors ?? []).map((item) => redactItem(item, init.redact));
    this.traceId = init.traceId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out;
}

function redactItem(item: ClerkApiErrorItem, secrets: string[]): ClerkApiErrorItem {
  return JSON.parse(redact(JSON.stringify(item), secrets)) as ClerkApiErrorItem;
}

/** Reads Clerk's `{ errors, clerk_trace_id }` body; anything else gives no entries. */
export function parseErrorBody(body: unknown): { errors: ClerkApiErrorItem[]; traceId: string | undefined } {
  if (typeof body !== 'object' || body === null) return { errors: [], traceId: undefined };
  const { errors, clerk_trace_id: traceId } = body as { errors?: unknown; clerk_trace_id?: unknown };
  const items = Array.isArray(errors)
    ? errors.filter(
        (item): item is ClerkApiErrorItem =>
          typeof item === 'object' && item !== null && typeof (item as { code?: unknown }).code === 'string',
      )
    : [];
  return { errors: items, traceId: typeof traceId === 'string' ? traceId : undefined };
}
