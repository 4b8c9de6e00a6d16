import { serve } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { cookieSuffix, createPublishableKey } from './publishable-key.js';
import type { EmulatorState } from './state.js';

// The listening socket: 127.0.0.1 only, a free port unless told otherwise.

export interface RunningServer {
  /** Stops accepting, ends open connections and pending fault delays; idempotent. */
  close(): Promise<void>;
}

/** Starts `app` and fills `state.site` from the port it got (the publishable key encodes the host). */
export async function listen(
  state: EmulatorState,
  app: Hono<{ Bindings: HttpBindings }>,
  port: number,
): Promise<RunningServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1', overrideGlobalObjects: false }, () =>
      resolve(started as Server),
    ) as Server;
    started.once('error', reject);
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publishableKey = createPublishableKey(host, state.instanceType);
  state.site = {
    url: `http://${host}`,
    issuer: `https://${host}`,
    publishableKey,
    cookieSuffix: await cookieSuffix(publishableKey),
  };
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        state.closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
