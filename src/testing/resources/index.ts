// The emulator's resource groups (users, organizations, memberships, invitations, sessions, clients,
// JWT templates) as one Hono app to mount at `/v1`, and a 501 in Clerk's error shape for every other
// operation of the spec.
import { OPERATIONS } from '../../api/generated/operations.js';
import { clerkErrors } from '../errors.js';
import { ResourceRouter, send } from './http.js';
import type { ResourceDeps } from './http.js';
import { registerInvitations, registerOrganizationInvitations } from './invitations.js';
import { registerJwtTemplates } from './jwt-templates.js';
import { registerMemberships, registerOrganizations } from './organizations.js';
import { registerSessions } from './sessions.js';
import { registerUserActions, registerUsers } from './users.js';

export { ResourceStore } from './store.js';
export { organizationClaimsFor } from './organizations.js';
export type { ResourceEvent, ResourceEventType } from './store.js';
export type { ClerkResourceRoute, ResourceDeps } from './http.js';

/** The groups the emulator serves, for docs and tests. */
export const SERVED_GROUPS = [
  'users',
  'organizations',
  'organizationMemberships',
  'organizationInvitations',
  'invitations',
  'sessions',
  'clients',
  'jwtTemplates',
] as const;

/**
 * Builds the resource routes. `handled` lists `method /spec/path` of operations the emulator's
 * core already answers (they are registered before this app), so they are not answered 501 here.
 */
export function createResourceApp(deps: ResourceDeps): { app: ResourceRouter['app']; served: Set<string> } {
  const router = new ResourceRouter(deps);
  registerUsers(router);
  registerUserActions(router);
  registerOrganizations(router);
  registerMemberships(router);
  registerInvitations(router);
  registerOrganizationInvitations(router);
  registerSessions(router);
  registerJwtTemplates(router);
  const served = new Set(router.served);
  for (const row of OPERATIONS.split('\n')) {
    const [group, name, method, path] = row.split(' ');
    if (!method || !path || served.has(`${method} ${path}`)) continue;
    router.app.on(method.toUpperCase(), path.replace(/\{(\w+)\}/g, ':$1'), (c) =>
      send(
        c,
        clerkErrors(
          'not_implemented',
          'Not implemented',
          `The Clerk emulator does not implement ${group || 'operation'} ${name} (${method.toUpperCase()} ${path}).`,
        ),
        501,
      ),
    );
  }
  return { app: router.app, served };
}
