// The emulator's webhook dispatcher: Svix-format, signed deliveries of emulator state changes to
// registered endpoints, with bounded retries and a record of every delivery.
import type { WebhookEventType } from '../webhooks/events.js';
import { encodeBase64, parseSigningSecret } from '../webhooks/secret.js';
import { importSigningKey, signatureHeaderValue } from '../webhooks/signature.js';
import { clerkId, randomBase62 } from './ids.js';

/** How {@link EmulatorWebhooks.emit} corrupts a delivery on purpose, to test a handler's refusals. */
export type WebhookDeliveryMode = 'normal' | 'tampered' | 'stale' | 'future';

/** Options of {@link EmulatorWebhooks.addEndpoint}. */
export interface WebhookEndpointOptions {
  /** Event types delivered to this endpoint. Default: every type. */
  events?: readonly string[];
  /** Signing secret (`whsec_` + base64 of 24 to 64 bytes). Default: a fresh random one. */
  secret?: string;
  /** Attempts per delivery, first one included. Default 3, at most 10. */
  maxAttempts?: number;
  /** Wait before the first retry, doubled for each next one. Default 50 ms (tests stay fast). */
  retryDelayMs?: number;
  /** Timeout of one attempt. Default 5000 ms. */
  timeoutMs?: number;
}

/** A registered endpoint. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  /** The signing secret a handler of this endpoint verifies with. */
  secret: string;
  /** The event types it receives, or undefined for all. */
  events: readonly string[] | undefined;
}

/** One attempt of a delivery. */
export interface WebhookAttempt {
  /** Response status, or null when the request failed (connection refused, timeout). */
  status: number | null;
  /** The first 1 KiB of the response body, so a test can assert what the handler answered. */
  body?: string;
  /** Why the request failed, when it did (an error name such as `TimeoutError`). */
  error?: string;
  /** When the attempt was sent (ms since the epoch). */
  at: number;
}

/** The record of one event sent to one endpoint. */
export interface WebhookDelivery {
  /** The message id (`svix-id`), the same on every attempt. */
  id: string;
  endpointId: string;
  url: string;
  eventType: string;
  mode: WebhookDeliveryMode;
  /** `pending` while attempts remain, `delivered` after a 2xx, `failed` when every attempt failed. */
  status: 'pending' | 'delivered' | 'failed';
  /** Attempts made so far. */
  attempts: number;
  /** Status of the last response, or null when none came. */
  responseStatus: number | null;
  history: WebhookAttempt[];
  /** The event as signed (a `tampered` delivery sends an altered copy). */
  payload: { type: string; object: 'event'; data: unknown; timestamp: number; instance_id: string };
}

/** `emulator.webhooks`: register endpoints, read deliveries, send events by hand. */
export interface EmulatorWebhooks {
  /**
   * Registers an endpoint; every later state change of the emulator is delivered to it.
   *
   * @example
   * ```ts
   * import { createClerkEmulator } from 'clerk-edge/testing'
   *
   * const emulator = await createClerkEmulator()
   * const endpoint = emulator.webhooks.addEndpoint('http://127.0.0.1:8787/webhooks/clerk', { events: ['session.created'] })
   * // give endpoint.secret to the app as CLERK_WEBHOOK_SIGNING_SECRET
   * ```
   */
  addEndpoint(url: string, options?: WebhookEndpointOptions): WebhookEndpoint;
  /** Unregisters an endpoint by id or URL; true when one was removed. */
  removeEndpoint(idOrUrl: string): boolean;
  endpoints(): WebhookEndpoint[];
  /** Every delivery so far, oldest first (copies). */
  deliveries(): WebhookDelivery[];
  /**
   * Sends an event to every endpoint that takes its type and resolves when each delivery has
   * succeeded or run out of attempts. `mode` sends a `tampered` body, a `stale` or a `future`
   * timestamp (10 minutes off) instead of a genuine delivery.
   */
  emit(
    type: WebhookEventType | (string & {}),
    data: unknown,
    options?: { mode?: WebhookDeliveryMode },
  ): Promise<WebhookDelivery[]>;
  /** Resolves once no delivery is pending (state changes deliver in the background). */
  settled(): Promise<void>;
  /** Forgets the delivery records (endpoints stay). */
  clearDeliveries(): void;
}

/** The dispatcher plus what only the emulator calls. */
export interface WebhookDispatcher extends EmulatorWebhooks {
  /** Stops every retry and pending wait. */
  close(): void;
}

const SKEW_SECONDS = 10 * 60;

function newSecret(): string {
  return `whsec_${encodeBase64(crypto.getRandomValues(new Uint8Array(24)))}`;
}

function clamp(value: number | undefined, fallback: number, min: number, max: number): number {
  return value !== undefined && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.floor(value))) : fallback;
}

interface EndpointRecord extends WebhookEndpoint {
  key: Promise<CryptoKey>;
  maxAttempts: number;
  retryDelayMs: number;
  timeoutMs: number;
}

/** What a delivery needs from its dispatcher: the clock, the fetch, and the signal that stops everything. */
interface Courier {
  now: () => number;
  send: typeof fetch;
  stop: AbortSignal;
}

/** Waits `ms`, or less when the dispatcher closes. */
function wait(stop: AbortSignal, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (stop.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    stop.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** One signed POST of `record` to `endpoint`, recorded in its history; true on a 2xx. */
async function attempt(
  courier: Courier,
  endpoint: EndpointRecord,
  record: WebhookDelivery,
  body: string,
): Promise<boolean> {
  const at = courier.now();
  const seconds = Math.floor(at / 1000);
  const timestamp =
    record.mode === 'stale' ? seconds - SKEW_SECONDS : record.mode === 'future' ? seconds + SKEW_SECONDS : seconds;
  const signed = JSON.stringify(record.payload);
  const signature = await signatureHeaderValue(
    await endpoint.key,
    record.id,
    timestamp,
    new TextEncoder().encode(signed),
  );
  const entry: WebhookAttempt = { status: null, at };
  record.history.push(entry);
  record.attempts += 1;
  try {
    const response = await courier.send(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Svix-Webhooks/1.0 (clerk-edge emulator)',
        'svix-id': record.id,
        'svix-timestamp': String(timestamp),
        'svix-signature': signature,
      },
      body: record.mode === 'tampered' ? body : signed,
      signal: AbortSignal.any([courier.stop, AbortSignal.timeout(endpoint.timeoutMs)]),
    });
    entry.status = response.status;
    entry.body = (await response.text().catch(() => '')).slice(0, 1024);
    record.responseStatus = response.status;
    return response.status >= 200 && response.status < 300;
  } catch (error) {
    entry.error = error instanceof Error ? error.name : 'Error';
    return false;
  }
}

/** Delivers `record` with Svix's doubling retry delays until a 2xx, the last attempt, or close. */
async function deliver(courier: Courier, endpoint: EndpointRecord, record: WebhookDelivery): Promise<WebhookDelivery> {
  // A tampered delivery is signed for the genuine payload and sends an altered one.
  const tampered = JSON.stringify({ ...record.payload, data: { tampered: true } });
  for (let index = 0; index < endpoint.maxAttempts && !courier.stop.aborted; index++) {
    if (index > 0) await wait(courier.stop, endpoint.retryDelayMs * 2 ** (index - 1));
    if (courier.stop.aborted) break;
    if (await attempt(courier, endpoint, record, tampered)) {
      record.status = 'delivered';
      return record;
    }
  }
  record.status = 'failed';
  return record;
}

/** A new endpoint from `addEndpoint`'s arguments: an http(s) URL, a valid secret, clamped retry settings. */
function endpointRecord(url: string, options: Parameters<WebhookDispatcher['addEndpoint']>[1] = {}): EndpointRecord {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError('Clerk emulator: a webhook endpoint URL must be http: or https:.');
  }
  const secret = options.secret ?? newSecret();
  const keyBytes = parseSigningSecret(secret, 'The endpoint `secret` option');
  return {
    id: `ep_${randomBase62(27)}`,
    url: parsed.href,
    secret,
    events: options.events ? [...options.events] : undefined,
    key: importSigningKey(keyBytes),
    maxAttempts: clamp(options.maxAttempts, 3, 1, 10),
    retryDelayMs: clamp(options.retryDelayMs, 50, 0, 60_000),
    timeoutMs: clamp(options.timeoutMs, 5000, 1, 60_000),
  };
}

/** Creates the dispatcher behind `emulator.webhooks`. `now` is the emulator's clock. */
export function createWebhookDispatcher(options: { now: () => number; fetch?: typeof fetch }): WebhookDispatcher {
  const now = options.now;
  const instanceId = clerkId('ins');
  const endpoints: EndpointRecord[] = [];
  let records: WebhookDelivery[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const stop = new AbortController();
  const courier: Courier = {
    now,
    send: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    stop: stop.signal,
  };

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
    return promise;
  }

  const copy = (record: WebhookDelivery): WebhookDelivery => structuredClone(record);

  return {
    addEndpoint(url, endpointOptions) {
      const endpoint = endpointRecord(url, endpointOptions);
      endpoints.push(endpoint);
      return { id: endpoint.id, url: endpoint.url, secret: endpoint.secret, events: endpoint.events };
    },
    removeEndpoint(idOrUrl) {
      const index = endpoints.findIndex((endpoint) => endpoint.id === idOrUrl || endpoint.url === idOrUrl);
      if (index < 0) return false;
      endpoints.splice(index, 1);
      return true;
    },
    endpoints() {
      return endpoints.map(({ id, url, secret, events }) => ({ id, url, secret, events }));
    },
    deliveries() {
      return records.map(copy);
    },
    emit(type, data, emitOptions = {}) {
      const timestamp = now();
      const payload = {
        data: structuredClone(data),
        instance_id: instanceId,
        object: 'event' as const,
        timestamp,
        type,
      };
      const targets = endpoints.filter((endpoint) => !endpoint.events || endpoint.events.includes(type));
      const sent = targets.map((endpoint) => {
        const record: WebhookDelivery = {
          id: `msg_${randomBase62(27)}`,
          endpointId: endpoint.id,
          url: endpoint.url,
          eventType: type,
          mode: emitOptions.mode ?? 'normal',
          status: 'pending',
          attempts: 0,
          responseStatus: null,
          history: [],
          payload,
        };
        records.push(record);
        return track(deliver(courier, endpoint, record)).then(copy);
      });
      return Promise.all(sent);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    clearDeliveries() {
      records = [];
    },
    close() {
      stop.abort();
    },
  };
}
