/**
 * Runs the example against the local Clerk emulator: no Clerk account, no network.
 * Prints a real session token, an API key and ready curl lines. Ctrl-C stops both.
 */
import { serve } from '@hono/node-server';
import { createClerkClient } from 'clerk-edge/api';
import { createClerkEmulator } from 'clerk-edge/testing';
import { createApp } from './app.js';

const emulator = await createClerkEmulator();
const app = createApp({
  secretKey: emulator.secretKey,
  publishableKey: emulator.publishableKey,
  apiUrl: emulator.url,
  env: {},
});
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
await new Promise((resolve) => server.once('listening', resolve));
const address = server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

// A stored user and JWT template, so /hello, /me/metadata and /token/demo have something to serve.
const admin = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, env: {} });
const user = await admin.users.create({ body: { first_name: 'Demo', last_name: 'User' } });
await admin.jwtTemplates.create({ body: { name: 'demo', claims: { role: 'demo' }, lifetime: 300 } });
const { session } = await emulator.createSession({ userId: user.id, orgId: 'org_demo', orgRole: 'org:admin' });
const token = await emulator.createSessionToken(session.id, { expiresInSeconds: 3600 });
const apiKey = await emulator.createApiKey({ subject: user.id, scopes: ['write'] });

console.log(`
Clerk emulator:  ${emulator.url}
Example (Hono on Node): ${url}

A session token (valid 1 hour) for ${user.id} (Demo User), admin of org_demo, and an API key with scope write:
  export TOKEN=${token}
  export API_KEY=${apiKey.secret}

Try:
  curl -i ${url}/
  curl -i ${url}/me
  curl -i -H "Authorization: Bearer $TOKEN" ${url}/me
  curl -i -H "Authorization: Bearer $TOKEN" ${url}/admin
  curl -i -H "Authorization: Bearer $TOKEN" ${url}/hello
  curl -i -X POST -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" -d '{"theme":"dark"}' ${url}/me/metadata
  curl -i -H "Authorization: Bearer $TOKEN" ${url}/token/demo
  curl -i -X POST -H "Authorization: Bearer $API_KEY" ${url}/ingest

Ctrl-C to stop.`);

const stop = async () => {
  server.close();
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
