/**
 * Runs a local Clerk emulator for this example: no Clerk account, no network. Writes
 * .env.local with its keys (Next reads it at `next build` / `next start`), then prints session
 * tokens and curl lines. Start the app after this, in another terminal. Ctrl-C stops it.
 *
 *   npm run emulator            # emulator on 127.0.0.1:3901, app expected on :3000
 *   EMULATOR_PORT=4000 APP_URL=http://127.0.0.1:3001 npm run emulator
 */
import { writeFileSync } from 'node:fs';
import { createClerkClient } from 'clerk-edge/api';
import { createClerkEmulator } from 'clerk-edge/testing';

const emulator = await createClerkEmulator({ port: Number(process.env.EMULATOR_PORT ?? 3901) });
const appUrl = process.env.APP_URL ?? 'http://127.0.0.1:3000';

writeFileSync(
  new URL('../.env.local', import.meta.url),
  [
    '# Written by `npm run emulator`: keys of the local Clerk emulator.',
    `CLERK_SECRET_KEY=${emulator.secretKey}`,
    `CLERK_PUBLISHABLE_KEY=${emulator.publishableKey}`,
    `CLERK_API_URL=${emulator.url}`,
    'NEXT_PUBLIC_CLERK_SIGN_IN_URL=/sign-in',
    '',
  ].join('\n'),
);

const member = await emulator.createSession({ userId: 'user_member', orgId: 'org_demo', orgRole: 'org:member' });
const admin = await emulator.createSession({ userId: 'user_admin', orgId: 'org_demo', orgRole: 'org:admin' });
const memberToken = await emulator.createSessionToken(member.session.id, { expiresInSeconds: 3600 });
// A stored user and JWT template for the Backend API routes (/api/me/profile, /api/me/metadata, /api/me/token/*).
const backend = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, env: {} });
const ada = await backend.users.create({ body: { first_name: 'Ada', last_name: 'Lovelace' } });
await backend.jwtTemplates.create({ body: { name: 'demo', claims: { role: 'demo' }, lifetime: 300 } });
const adaSession = await emulator.createSession({ userId: ada.id });
const adaToken = await emulator.createSessionToken(adaSession.session.id, { expiresInSeconds: 3600 });
const adminToken = await emulator.createSessionToken(admin.session.id, { expiresInSeconds: 3600 });

console.log(`
Clerk emulator: ${emulator.url} (keys written to .env.local)
Now, in another terminal: npm run build && npm start   (then the app is at ${appUrl})

Session tokens, valid 1 hour: user_member (org:member) and user_admin (org:admin) of org_demo:
  export MEMBER=${memberToken}
  export ADMIN=${adminToken}
and for ${ada.id}, a stored user (Ada Lovelace) the Backend API knows:
  export ADA=${adaToken}

Try:
  curl -i ${appUrl}/api/me                                   # 401
  curl -i -H 'Accept: text/html' ${appUrl}/dashboard         # 307 to /sign-in
  curl -i -H "Authorization: Bearer $MEMBER" ${appUrl}/api/me
  curl -i -H "Cookie: __session=$MEMBER; __client_uat=1" ${appUrl}/dashboard
  curl -i -H "Authorization: Bearer $MEMBER" ${appUrl}/api/admin   # 403
  curl -i -H "Authorization: Bearer $ADMIN" ${appUrl}/api/admin
  curl -i -H "Authorization: Bearer $ADA" ${appUrl}/api/me/profile
  curl -i -X POST -H "Authorization: Bearer $ADA" -d '{"theme":"dark"}' ${appUrl}/api/me/metadata
  curl -i -H "Authorization: Bearer $ADA" ${appUrl}/api/me/token/demo
  curl -i -H "Cookie: __session=$ADA; __client_uat=1" ${appUrl}/dashboard/profile

Ctrl-C to stop.`);

const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
