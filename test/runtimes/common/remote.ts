/**
 * The scenarios' handle on the emulator that runs in the Node process driving the suite
 * (see ../control.ts). Plain `fetch`, so it runs unchanged in Bun, Deno and Node.
 */
import type { ClerkEmulator } from 'clerk-edge/testing';

/** Emulator methods a scenario may call remotely. */
export const CONTROL_METHODS = [
  'createSession',
  'createSessionToken',
  'createApiKey',
  'createM2MToken',
  'signToken',
  'fault',
  'clearFaults',
  'requestCount',
  'resetCounts',
] as const;
export type ControlMethod = (typeof CONTROL_METHODS)[number];

/** What a scenario needs to configure clerk-edge against the emulator. */
export interface EmulatorInfo {
  url: string;
  secretKey: string;
  publishableKey: string;
  machineSecretKey: string;
  machineId: string;
  cookieSuffix: string;
  issuer: string;
}

type Method<M extends ControlMethod> = ClerkEmulator[M] extends (...args: infer A) => infer R
  ? (...args: A) => Promise<Awaited<R>>
  : never;

/** The emulator, called over HTTP: same names and arguments as `ClerkEmulator`. */
export type RemoteEmulator = { [M in ControlMethod]: Method<M> } & { readonly info: EmulatorInfo };

/** Connects to the control URL the driver passed on the command line. */
export async function connectEmulator(controlUrl: string): Promise<RemoteEmulator> {
  const info = (await (await fetch(`${controlUrl}/info`)).json()) as EmulatorInfo;
  const call = async (method: ControlMethod, args: unknown[]) => {
    const response = await fetch(`${controlUrl}/call/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    const body = (await response.json()) as { result?: unknown; error?: string };
    if (!response.ok) throw new Error(`emulator.${method} failed: ${body.error}`);
    return body.result;
  };
  const remote: Record<string, unknown> = { info };
  for (const method of CONTROL_METHODS) remote[method] = (...args: unknown[]) => call(method, args);
  return remote as RemoteEmulator;
}
