import { SignJWT } from 'jose';

import { clerkId, randomBase62 } from './ids.js';
import type { EmulatorState } from './state.js';

// The Frontend API's memory of browsers: clients (the `__client` cookie on the FAPI host), the
// dev-browser tokens of development instances, and handshake payloads waiting under a one-time nonce.

/** One browser as the Frontend API knows it. */
export interface BrowserClient {
  id: string;
  /** Value of the FAPI-host `__client` cookie that names this client. */
  cookie: string;
  /** The session the browser is signed in to, or null when signed out. */
  sessionId: string | null;
  /** The client's `__clerk_db_jwt` (development instances), made on first need. */
  devBrowser: string | null;
}

interface PendingPayload {
  directives: string[];
  expiresAt: number;
}

/** How long a handshake nonce can be redeemed, in milliseconds. */
const NONCE_LIFETIME_MS = 5 * 60 * 1000;

export class BrowserClients {
  readonly #byCookie = new Map<string, BrowserClient>();
  readonly #byDevBrowser = new Map<string, BrowserClient>();
  readonly #payloads = new Map<string, PendingPayload>();
  /** Dev-browser tokens are HS256 JWTs under a key of their own, so they can never pass as instance-signed tokens. */
  readonly #devBrowserKey = crypto.getRandomValues(new Uint8Array(32));

  /** A new, signed-out client. */
  create(): BrowserClient {
    const client: BrowserClient = {
      id: clerkId('client'),
      cookie: randomBase62(48),
      sessionId: null,
      devBrowser: null,
    };
    this.#byCookie.set(client.cookie, client);
    return client;
  }

  byCookie(cookie: string | undefined): BrowserClient | undefined {
    return cookie === undefined ? undefined : this.#byCookie.get(cookie);
  }

  byDevBrowser(token: string | undefined): BrowserClient | undefined {
    return token === undefined ? undefined : this.#byDevBrowser.get(token);
  }

  /** The client's dev-browser token, minted on first use. */
  async devBrowserOf(client: BrowserClient, issuedAt: number): Promise<string> {
    if (client.devBrowser !== null) return client.devBrowser;
    const token = await new SignJWT({ dev: clerkId('dvb'), iat: issuedAt })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(this.#devBrowserKey);
    client.devBrowser = token;
    this.#byDevBrowser.set(token, client);
    return token;
  }

  /** Every client, for programmatic sign-out. */
  all(): BrowserClient[] {
    return [...this.#byCookie.values()];
  }

  /** Stores `directives` and returns the one-time nonce that redeems them. */
  storePayload(directives: string[], now: number): string {
    const nonce = randomBase62(32);
    this.#payloads.set(nonce, { directives, expiresAt: now + NONCE_LIFETIME_MS });
    return nonce;
  }

  /** The directives stored under `nonce`, removed so the nonce cannot be used again; undefined if unknown, used or expired. */
  redeem(nonce: string, now: number): string[] | undefined {
    const payload = this.#payloads.get(nonce);
    this.#payloads.delete(nonce);
    if (!payload || now >= payload.expiresAt) return undefined;
    return payload.directives;
  }
}

/** Ends the browser client's session (Clerk's sign-out) and forgets it; true if it was signed in. */
export function signOutClient(state: EmulatorState, client: BrowserClient): boolean {
  const record = client.sessionId === null ? undefined : state.sessions.get(client.sessionId);
  client.sessionId = null;
  if (!record || (record.json.status !== 'active' && record.json.status !== 'pending')) return false;
  record.json.status = 'ended';
  record.json.updated_at = state.now();
  state.events.emit({ type: 'session.ended', data: { ...record.json } });
  return true;
}
