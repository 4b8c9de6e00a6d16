import { afterEach, describe, expect, it, vi } from 'vitest';
import { SingleFlight } from '../../src/core/single-flight.js';
import { CacheApiStore, KvStore, type KvNamespaceLike } from '../../src/workers/index.js';

/** A Cache with the Workers semantics the store relies on (match/put by URL), in memory. */
function memoryCache() {
  const entries = new Map<string, { body: string; headers: Headers }>();
  const cache = {
    entries,
    async match(url: string) {
      const entry = entries.get(url);
      return entry ? new Response(entry.body, { headers: entry.headers }) : undefined;
    },
    async put(url: string, response: Response) {
      entries.set(url, { body: await response.text(), headers: response.headers });
    },
  };
  return cache;
}

function memoryKv() {
  const puts: Array<{ key: string; value: string; expirationTtl: number | undefined }> = [];
  const data = new Map<string, string>();
  const kv: KvNamespaceLike & { puts: typeof puts } = {
    puts,
    async get(key) {
      const value = data.get(key);
      return value === undefined ? null : JSON.parse(value);
    },
    async put(key, value, options) {
      puts.push({ key, value, expirationTtl: options?.expirationTtl });
      data.set(key, value);
    },
  };
  return kv;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('CacheApiStore', () => {
  it('keeps JSON values under synthetic URLs with Cache-Control max-age', async () => {
    const cache = memoryCache();
    const store = new CacheApiStore({ cache: cache as unknown as Cache });
    await store.set('clerk-edge:jwks:abc', { keys: [{ kid: 'k1' }], fetchedAt: 1 }, 90);
    expect(await store.get('clerk-edge:jwks:abc')).toEqual({ keys: [{ kid: 'k1' }], fetchedAt: 1 });
    const [url, entry] = [...cache.entries][0]!;
    expect(url).toBe('https://clerk-edge.cache/clerk-edge%3Ajwks%3Aabc');
    expect(entry.headers.get('cache-control')).toBe('max-age=90');
    expect(await store.get('clerk-edge:jwks:other')).toBeUndefined();
  });

  it('never returns an entry past its TTL, even if the cache still holds it', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const store = new CacheApiStore({ cache: memoryCache() as unknown as Cache });
    await store.set('k', 'v', 2);
    vi.setSystemTime(1_001_999);
    expect(await store.get('k')).toBe('v');
    vi.setSystemTime(1_002_000);
    expect(await store.get('k')).toBeUndefined();
  });

  it('turns every cache failure into a miss', async () => {
    const broken = { match: () => Promise.reject(new Error('down')), put: () => Promise.reject(new Error('down')) };
    const store = new CacheApiStore({ cache: broken as unknown as Cache });
    await expect(store.set('k', 'v', 10)).resolves.toBeUndefined();
    await expect(store.get('k')).resolves.toBeUndefined();
    const garbage = { match: async () => new Response('not json'), put: async () => {} };
    await expect(new CacheApiStore({ cache: garbage as unknown as Cache }).get('k')).resolves.toBeUndefined();
  });

  it('is a no-op where there is no Cache API (Node)', async () => {
    expect(CacheApiStore.isAvailable()).toBe(false);
    const store = new CacheApiStore();
    await store.set('k', 'v', 10);
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('KvStore', () => {
  it("writes with KV's 60 s minimum expirationTtl but honours shorter TTLs itself", async () => {
    vi.useFakeTimers({ now: 5_000_000, toFake: ['Date'] });
    const kv = memoryKv();
    const store = new KvStore(kv, { prefix: 'app1:' });
    await store.set('clerk-edge:machine:h', { ok: false, status: 'signed-out', reason: 'token-invalid' }, 5);
    await store.set('clerk-edge:jwks:h', { keys: [] }, 3600);
    expect(kv.puts.map(({ key, expirationTtl }) => [key, expirationTtl])).toEqual([
      ['app1:clerk-edge:machine:h', 60],
      ['app1:clerk-edge:jwks:h', 3600],
    ]);
    expect(await store.get('clerk-edge:machine:h')).toEqual({
      ok: false,
      status: 'signed-out',
      reason: 'token-invalid',
    });
    vi.setSystemTime(5_005_000);
    expect(await store.get('clerk-edge:machine:h')).toBeUndefined();
    expect(await store.get('clerk-edge:jwks:h')).toEqual({ keys: [] });
  });

  it('turns KV failures (write limits, outages) into misses', async () => {
    const failing: KvNamespaceLike = {
      get: () => Promise.reject(new Error('limit')),
      put: () => Promise.reject(new Error('limit')),
    };
    const store = new KvStore(failing);
    await expect(store.set('k', 'v', 60)).resolves.toBeUndefined();
    await expect(store.get('k')).resolves.toBeUndefined();
  });

  it('says which binding to configure when it gets none', () => {
    expect(() => new KvStore(undefined as unknown as KvNamespaceLike)).toThrow(/kv_namespaces/);
  });
});

describe('SingleFlight (shared by the key store, machine tokens and refresh)', () => {
  it('gives concurrent callers one call', async () => {
    const flight = new SingleFlight<number>(1000);
    let calls = 0;
    const task = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 42;
    };
    expect(await Promise.all([flight.run('k', task), flight.run('k', task), flight.run('k', task)])).toEqual([
      42, 42, 42,
    ]);
    expect(calls).toBe(1);
    expect(flight.has('k')).toBe(false);
  });

  it('stops waiting for a flight that never settles and runs the task once more', async () => {
    const flight = new SingleFlight<string>(50);
    let calls = 0;
    const task = () => {
      calls += 1;
      // The first call behaves like a fetch whose request context is gone: it never settles.
      return calls === 1
        ? new Promise<string>(() => {})
        : new Promise<string>((resolve) => setTimeout(() => resolve('fresh'), 10));
    };
    void flight.run('k', task);
    const joiners = Promise.all([flight.run('k', task), flight.run('k', task), flight.run('k', task)]);
    expect(await joiners).toEqual(['fresh', 'fresh', 'fresh']);
    expect(calls).toBe(2);
  });

  it('drops a flight older than its deadline instead of joining it', async () => {
    const flight = new SingleFlight<string>(30);
    void flight.run('k', () => new Promise<string>(() => {}));
    expect(flight.has('k')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(flight.has('k')).toBe(false);
    expect(await flight.run('k', async () => 'new')).toBe('new');
  });

  it('keeps the newer flight when a flight given up on settles late', async () => {
    const flight = new SingleFlight<string>(30);
    let settleOld!: (value: string) => void;
    void flight.run('k', () => new Promise<string>((resolve) => (settleOld = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 40));
    let settleNew!: (value: string) => void;
    const fresh = flight.run('k', () => new Promise<string>((resolve) => (settleNew = resolve)));
    settleOld('old');
    await Promise.resolve();
    expect(flight.has('k')).toBe(true);
    let calls = 0;
    const joined = flight.run('k', async () => {
      calls += 1;
      return 'unexpected';
    });
    settleNew('new');
    expect([await fresh, await joined, calls]).toEqual(['new', 'new', 0]);
  });
});
