import { BrowserClients } from './browser-clients.js';
import type { ClerkEmulatorOptions, EmulatorRequest } from './emulator-types.js';
import { FaultTable } from './faults.js';
import { clerkId, randomBase62, randomHex } from './ids.js';
import { machineKinds } from './machine-tokens.js';
import type { MachineKinds } from './machine-tokens.js';
import type { InstanceType } from './publishable-key.js';
import type { SessionRecord } from './sessions.js';
import { KeyRing } from './signing.js';
import { ResourceStore } from './resources/store.js';

// Everything one emulator instance remembers. Modules receive this object instead of sharing a closure.

/** Something that happened in the emulated instance, e.g. `session.created`; the seam webhooks listen on. */
export interface EmulatorEvent {
  type: string;
  data: unknown;
}

/** Listeners of {@link EmulatorEvent}s. A listener that throws does not stop the others or the request. */
export class EmulatorEvents {
  readonly #listeners = new Set<(event: EmulatorEvent) => void>();

  /** Calls `listener` for every later event; returns the function that stops it. */
  on(listener: (event: EmulatorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: EmulatorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A test's listener failing must not change what the emulated API answers.
      }
    }
  }
}

/** Where the emulator listens; known only once the server is up (the publishable key encodes the port). */
export interface EmulatorSite {
  /** `http://127.0.0.1:<port>`: the Backend API and the Frontend API. */
  url: string;
  /** `https://127.0.0.1:<port>`: every token's `iss`. */
  issuer: string;
  publishableKey: string;
  cookieSuffix: string;
}

export interface EmulatorState {
  readonly now: () => number;
  readonly instanceType: InstanceType;
  readonly sessionTokenTtlSeconds: number;
  readonly secretKey: string;
  readonly machineSecretKey: string;
  readonly machineId: string;
  readonly keys: KeyRing;
  readonly sessions: Map<string, SessionRecord>;
  readonly machines: MachineKinds;
  readonly browser: BrowserClients;
  readonly faults: FaultTable;
  readonly events: EmulatorEvents;
  /** Users, organizations, invitations, JWT templates… (the Backend API resource groups). */
  readonly resources: ResourceStore;
  /** Replaced (not emptied) by `resetCounts`, so a log a test kept stays as it was. */
  requests: EmulatorRequest[];
  site: EmulatorSite;
  /** Aborted on close, so pending fault delays end at once. */
  readonly closing: AbortController;
}

export const nowSeconds = (state: EmulatorState) => Math.floor(state.now() / 1000);

/** The session token lifetime; its two option names must not disagree. */
function sessionTokenLifetime(options: ClerkEmulatorOptions): number {
  const { sessionTokenLifetimeSeconds: lifetime, sessionTokenTtlSeconds: ttl } = options;
  if (lifetime !== undefined && ttl !== undefined && lifetime !== ttl) {
    throw new Error('Clerk emulator: sessionTokenLifetimeSeconds and sessionTokenTtlSeconds disagree; set one.');
  }
  const seconds = lifetime ?? ttl ?? 60;
  if (!(Number.isInteger(seconds) && seconds > 0)) {
    throw new Error('Clerk emulator: sessionTokenLifetimeSeconds must be a positive integer.');
  }
  return seconds;
}

/** Fresh state for `options`; `site` is filled in by the server once it listens. */
export async function createEmulatorState(options: ClerkEmulatorOptions): Promise<EmulatorState> {
  const now = options.now ?? Date.now;
  const instanceType = options.instanceType ?? 'test';
  return {
    now,
    instanceType,
    sessionTokenTtlSeconds: sessionTokenLifetime(options),
    secretKey: options.secretKey ?? `sk_${instanceType}_${randomBase62(40)}`,
    machineSecretKey: options.machineSecretKey ?? `ak_${randomHex(32)}`,
    machineId: clerkId('mch'),
    keys: await KeyRing.create(),
    sessions: new Map(),
    machines: machineKinds(now),
    browser: new BrowserClients(),
    faults: new FaultTable(),
    events: new EmulatorEvents(),
    resources: new ResourceStore(),
    requests: [],
    site: { url: '', issuer: '', publishableKey: '', cookieSuffix: '' },
    closing: new AbortController(),
  };
}

/** The record `id` names in `map`, or an error for programmatic callers (routes answer 404 instead). */
export function lookup<T>(map: Map<string, T>, id: string, what: string): T {
  const record = map.get(id);
  if (!record) throw new Error(`Clerk emulator: no ${what} with id ${id}.`);
  return record;
}
