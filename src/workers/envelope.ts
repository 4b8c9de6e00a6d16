/**
 * What the Workers stores keep: the value and its own expiry, so an entry is never used past
 * the TTL the core asked for, even where the platform keeps it longer (KV's 60 s minimum, a
 * Cache API that ignores `max-age`). Internal.
 */
export interface Envelope {
  v: unknown;
  /** Expiry, milliseconds since the epoch. */
  e: number;
}

export function seal(value: unknown, ttlSeconds: number): string {
  const envelope: Envelope = { v: value, e: Date.now() + ttlSeconds * 1000 };
  return JSON.stringify(envelope);
}

/** The value of a stored envelope, or undefined when it is expired or not an envelope. */
export function unseal(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { v, e } = stored as Partial<Envelope>;
  if (typeof e !== 'number' || !(e > Date.now())) return undefined;
  return v;
}

/** TTLs from the core are whole seconds; anything else is treated as "do not store". */
export function validTtl(ttlSeconds: number): boolean {
  return typeof ttlSeconds === 'number' && Number.isFinite(ttlSeconds) && ttlSeconds > 0;
}
