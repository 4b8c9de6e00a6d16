// Runs Worker entries inside real workerd (Miniflare 4) against the Clerk emulator over loopback.
// Entries are bundled with esbuild first (Miniflare does not resolve bare imports); `clerk-edge`
// and its subpaths resolve to the sources, as a user's bundler resolves the package.
import { build } from 'esbuild';
import { workerdBuildOptions } from '../../scripts/workerd-bundle.mjs';
import { Miniflare } from 'miniflare';
import type { ClerkEmulator } from '../../src/testing/index.js';

/** The compatibility date of `wrangler.toml`, so tests run the runtime the example runs. */
export const COMPATIBILITY_DATE = '2025-09-01';

const bundles = new Map<string, Promise<string>>();

/** Bundles one Worker entry (path relative to the repository root) to a single ES module. */
export function bundleWorker(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    bundled = build(workerdBuildOptions(entry)).then((result) => result.outputFiles[0]!.text);
    bundles.set(entry, bundled);
  }
  return bundled;
}

/** One Worker (one isolate) in a workerd process. */
export interface WorkerSpec {
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  bindings?: Record<string, string>;
  kvNamespaces?: string[];
}

/** A response read completely, for exact assertions. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

export interface Workerd {
  /** Sends one request to a worker (default: the first) and reads the whole answer. */
  fetch(
    path: string,
    init?: { headers?: Record<string, string>; method?: string; worker?: string; redirect?: 'manual' },
  ): Promise<Answer>;
  dispose(): Promise<void>;
}

/** The bindings that point a Worker at the emulator, as a user's `.dev.vars` points it at Clerk. */
export function emulatorBindings(emulator: ClerkEmulator): Record<string, string> {
  return {
    CLERK_SECRET_KEY: emulator.secretKey,
    CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
    CLERK_API_URL: emulator.url,
  };
}

/** Starts one workerd process running `workers` (each its own isolate; they share the Cache API). */
export async function startWorkerd(workers: WorkerSpec[]): Promise<Workerd> {
  const scripts = await Promise.all(workers.map((worker) => bundleWorker(worker.entry)));
  const mf = new Miniflare({
    workers: workers.map((worker, index) => ({
      name: worker.name,
      modules: true,
      script: scripts[index]!,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: worker.bindings ?? {},
      kvNamespaces: worker.kvNamespaces ?? [],
    })),
  });
  await mf.ready;
  const fetchers = new Map<string, Awaited<ReturnType<Miniflare['getWorker']>>>();
  return {
    async fetch(path, init = {}) {
      const url = new URL(path, 'http://worker.test').href;
      const requestInit = {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        ...(init.redirect ? { redirect: init.redirect } : {}),
      };
      let response: Awaited<ReturnType<Miniflare['dispatchFetch']>>;
      if (init.worker === undefined || init.worker === workers[0]!.name) {
        response = await mf.dispatchFetch(url, requestInit);
      } else {
        let fetcher = fetchers.get(init.worker);
        if (!fetcher) {
          fetcher = await mf.getWorker(init.worker);
          fetchers.set(init.worker, fetcher);
        }
        response = (await fetcher.fetch(url, requestInit)) as unknown as typeof response;
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      });
      return { status: response.status, headers, text, json };
    },
    dispose: () => mf.dispose(),
  };
}

/** The headers that carry a session token the way a browser does. */
export function sessionCookie(emulator: ClerkEmulator, token: string, clientUat = 1): Record<string, string> {
  const suffix = emulator.cookieSuffix;
  return { cookie: `__session_${suffix}=${token}; __client_uat_${suffix}=${clientUat}` };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
