// clerk-edge/api inside real workerd (Miniflare), against the emulator over loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClerkClient } from '../../src/api/index.js';
import { createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { startWorkerd } from '../workers/harness.js';
import type { Workerd } from '../workers/harness.js';

let emulator: ClerkEmulator;
let workerd: Workerd;
const ids: string[] = [];

beforeAll(async () => {
  emulator = await createClerkEmulator();
  const clerk = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
  for (const name of ['Ada', 'Grace', 'Edsger']) {
    ids.push((await clerk.users.create({ body: { first_name: name } })).id);
  }
  workerd = await startWorkerd([
    {
      name: 'api',
      entry: 'test/api/fixtures/api-worker.ts',
      bindings: { CLERK_SECRET_KEY: emulator.secretKey, CLERK_API_URL: emulator.url },
    },
  ]);
}, 120_000);

afterAll(async () => {
  await workerd?.dispose();
  await emulator?.close();
});

describe('clerk-edge/api in workerd', () => {
  it('calls an operation with the secret key from the bindings', async () => {
    const answer = await workerd.fetch(`/user?id=${ids[0]}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ id: ids[0], first_name: 'Ada' });
  });

  it('walks a paginated list page by page', async () => {
    emulator.resetCounts();
    expect((await workerd.fetch('/all-users')).json).toEqual({ ids });
    expect(emulator.requestCount('GET /v1/users')).toBe(2);
  });

  it('turns a 404 and a retried 503 into ClerkApiErrors without the secret key', async () => {
    const missing = await workerd.fetch('/user?id=user_missing');
    expect(missing.json).toMatchObject({ code: 'api-response-error', status: 404 });
    emulator.resetCounts();
    emulator.fault('GET /v1/users/:user_id', { status: 503 });
    const down = await workerd.fetch(`/user?id=${ids[0]}`);
    emulator.clearFaults();
    expect(down.json).toMatchObject({ code: 'api-response-error', status: 503 });
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(2);
    expect(missing.text + down.text).not.toContain(emulator.secretKey);
  });
});
