// HTTP rows: requests per second and latency percentiles on @hono/node-server over loopback,
// driven by autocannon. The server runs in a child process (one core), autocannon in this one.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { AppKind } from './apps.js';
import type { BenchKeys, SessionCacheOption } from './fixtures.js';
import type { ProfileSummary } from './profile.js';

export interface HttpResult {
  requestsPerSecond: number;
  /** Latency in milliseconds (autocannon's histogram). */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  requests: number;
  durationS: number;
  connections: number;
}

export interface HttpServer {
  port: number;
  request<T>(message: object, answer: string): Promise<T>;
  close(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./http-server.ts', import.meta.url));

/** Starts `kind` in a child process and waits until it listens. */
export async function startServer(kind: AppKind, keys: BenchKeys, extra: SessionCacheOption): Promise<HttpServer> {
  const child: ChildProcess = fork(SERVER, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = <T>(message: object, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (reply: { type: string }) => {
        if (reply.type !== answer) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply as T);
      };
      const onExit = (code: number | null) => reject(new Error(`bench: HTTP server (${kind}) exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  const { port } = await request<{ port: number }>({ type: 'start', kind, keys, extra }, 'ready');
  return {
    port,
    request,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

export interface LoadOptions {
  port: number;
  path: string;
  connections: number;
  /** Run for this many seconds... */
  durationS?: number;
  /** ...or send exactly this many requests, each with the next token of `tokens`. */
  tokens?: string[];
  /** One token for every request. */
  token?: string;
}

/** One autocannon run. Throws if any response was not 2xx or any request failed. */
export async function load(options: LoadOptions): Promise<HttpResult> {
  const base = {
    url: `http://127.0.0.1:${options.port}${options.path}`,
    connections: options.connections,
    pipelining: 1,
  };
  let config: autocannon.Options;
  if (options.tokens) {
    const tokens = options.tokens;
    let next = 0;
    config = {
      ...base,
      amount: tokens.length - options.connections * 2,
      requests: [
        {
          setupRequest: (request) => {
            const token = tokens[next++ % tokens.length];
            return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
          },
        },
      ],
    };
  } else {
    config = { ...base, duration: options.durationS ?? 5, headers: { authorization: `Bearer ${options.token}` } };
  }
  // autocannon's own `duration` is whole seconds, and a run of `amount` requests only ends on
  // its next one-second tick: throughput is counted here instead, from the response after the
  // first 2% (connections opened, pipeline full) to the last one.
  const expected = config.amount ?? Number.POSITIVE_INFINITY;
  const skip = Math.max(options.connections, Math.min(500, Math.floor(expected * 0.02)));
  let responses = 0;
  let firstCounted = 0;
  let lastResponse = 0;
  const run = autocannon(config);
  run.on('response', () => {
    responses++;
    if (responses === skip) firstCounted = performance.now();
    lastResponse = performance.now();
  });
  const result = await run;
  const counted = responses - skip;
  const wallS = (lastResponse - firstCounted) / 1000;
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0)
    throw new Error(
      `bench: ${failed} of ${result.requests.total} HTTP requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`,
    );
  return {
    requestsPerSecond: counted / wallS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    requests: result.requests.total,
    durationS: wallS,
    connections: options.connections,
  };
}

/** Profiles the server while `work` runs. */
export async function profileServer(
  server: HttpServer,
  label: string,
  work: () => Promise<HttpResult>,
): Promise<ProfileSummary> {
  await server.request({ type: 'profile-start', label }, 'profile-started');
  const result = await work();
  const { summary } = await server.request<{ summary: ProfileSummary }>({ type: 'profile-stop' }, 'profile');
  return { ...summary, operations: result.requests };
}
