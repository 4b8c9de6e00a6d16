/**
 * A small HTTP remote for one emulator, so scenarios running inside Bun or Deno can mint tokens,
 * inject faults and read request counts of an emulator that runs in this Node process.
 * Test-only, bound to 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { CONTROL_METHODS, type ControlMethod, type EmulatorInfo } from './common/remote.js';

export interface Control {
  /** Where scenarios reach the remote (`GET /info`, `POST /call/<method>` with a JSON array of arguments). */
  readonly url: string;
  close(): Promise<void>;
}

const isControlMethod = (name: string): name is ControlMethod => (CONTROL_METHODS as readonly string[]).includes(name);

function info(emulator: ClerkEmulator): EmulatorInfo {
  return {
    url: emulator.url,
    secretKey: emulator.secretKey,
    publishableKey: emulator.publishableKey,
    machineSecretKey: emulator.machineSecretKey,
    machineId: emulator.machineId,
    cookieSuffix: emulator.cookieSuffix,
    issuer: emulator.issuer,
  };
}

async function call(emulator: ClerkEmulator, method: ControlMethod, args: unknown[]): Promise<unknown> {
  const target = emulator[method] as (...values: unknown[]) => unknown;
  return (await target.apply(emulator, args)) ?? null;
}

/** Starts the remote for `emulator` on a free port of 127.0.0.1. */
export async function startControl(emulator: ClerkEmulator): Promise<Control> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      const path = request.url ?? '';
      if (request.method === 'GET' && path === '/info') return send(200, info(emulator));
      const method = path.startsWith('/call/') ? path.slice('/call/'.length) : '';
      if (request.method !== 'POST' || !isControlMethod(method)) return send(404, { error: 'unknown control call' });
      const args = JSON.parse(Buffer.concat(chunks).toString('utf8') || '[]') as unknown[];
      call(emulator, method, args).then(
        (result) => send(200, { result }),
        (error: unknown) => send(500, { error: String(error) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
