// The sessions list and the clients group, read from the emulator's own sessions.
import { type ResourceRouter, invalid, listAnswer, notFound, send } from './http.js';
import type { ClerkSessionJSON } from '../types.js';

const SESSION_STATUSES = ['abandoned', 'active', 'ended', 'expired', 'removed', 'replaced', 'revoked', 'pending'];

/** The spec's `Client` object for the sessions that share a client id. */
function clientJson(id: string, sessions: ClerkSessionJSON[]): Record<string, unknown> {
  const latest = sessions.reduce<ClerkSessionJSON | undefined>(
    (best, s) => (best === undefined || s.last_active_at > best.last_active_at ? s : best),
    undefined,
  );
  return {
    object: 'client',
    id,
    session_ids: sessions.map((s) => s.id),
    sessions: sessions.map((s) => ({ ...s })),
    sign_in_id: null,
    sign_up_id: null,
    last_active_session_id: latest?.status === 'active' ? latest.id : null,
    last_authentication_strategy: null,
    updated_at: Math.max(...sessions.map((s) => s.updated_at)),
    created_at: Math.min(...sessions.map((s) => s.created_at)),
  };
}

function clientsOf(sessions: ClerkSessionJSON[]): Map<string, ClerkSessionJSON[]> {
  const clients = new Map<string, ClerkSessionJSON[]>();
  for (const session of sessions) {
    const list = clients.get(session.client_id) ?? [];
    list.push(session);
    clients.set(session.client_id, list);
  }
  return clients;
}

/** Registers `GET /sessions` and the clients group on `router`. */
export function registerSessions(router: ResourceRouter): void {
  const { sessions } = router.deps;

  router.on('get', '/sessions', (req) => {
    const clientId = req.query('client_id');
    const userId = req.query('user_id');
    const status = req.query('status');
    if (clientId === undefined && userId === undefined)
      return invalid(req.c, 'user_id', 'or client_id must be given to list sessions.');
    if (status !== undefined && !SESSION_STATUSES.includes(status))
      return invalid(req.c, 'status', `must be one of ${SESSION_STATUSES.join(', ')}.`);
    const filtered = sessions()
      .filter(
        (s) =>
          (clientId === undefined || s.client_id === clientId) &&
          (userId === undefined || s.user_id === userId) &&
          (status === undefined || s.status === status),
      )
      .reverse();
    return listAnswer(req, filtered, (s) => ({ ...s }), 'array-unless-paginated');
  });
  router.on('get', '/clients', (req) => {
    const all = [...clientsOf(sessions()).entries()].reverse();
    return listAnswer(req, all, ([id, list]) => clientJson(id, list), 'array-unless-paginated');
  });
  router.on('get', '/clients/{client_id}', (req) => {
    const list = clientsOf(sessions()).get(req.param('client_id'));
    return list ? send(req.c, clientJson(req.param('client_id'), list)) : notFound(req.c, 'client');
  });
}
