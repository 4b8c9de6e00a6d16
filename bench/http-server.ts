// Child process for the HTTP rows: serves one app on @hono/node-server (127.0.0.1, a free port)
// so the server has a core to itself while autocannon drives it from the parent.
// Protocol over IPC: parent sends { type: 'start', kind, keys, extra }; child answers
// { type: 'ready', port }. { type: 'profile-start' } / { type: 'profile-stop' } profile the
// server (answer: { type: 'profile', summary }). { type: 'stop' } closes the server and exits.
import { serve } from '@hono/node-server';
import { buildApp, type AppKind } from './apps.js';
import type { BenchKeys, SessionCacheOption } from './fixtures.js';
import { startProfile, type ProfileSummary } from './profile.js';

type Message =
  | { type: 'start'; kind: AppKind; keys: BenchKeys; extra: SessionCacheOption }
  | { type: 'profile-start'; label: string }
  | { type: 'profile-stop' }
  | { type: 'stop' };

let server: ReturnType<typeof serve> | undefined;
let stopProfile: ((topN?: number) => Promise<ProfileSummary>) | undefined;

const send = (message: unknown) => process.send?.(message);

// If the bench process goes away, so does its server.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message: Message) => {
  switch (message.type) {
    case 'start': {
      const app = buildApp(message.kind, message.keys, message.extra);
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
        send({ type: 'ready', port: info.port }),
      );
      break;
    }
    case 'profile-start':
      stopProfile = await startProfile(message.label);
      send({ type: 'profile-started' });
      break;
    case 'profile-stop':
      send({ type: 'profile', summary: await stopProfile?.() });
      stopProfile = undefined;
      break;
    case 'stop':
      server?.close();
      process.disconnect?.();
      process.exit(0);
  }
});
