import type { ClerkVariables } from './middleware.js';

export { clerkMiddleware, getAuth, requireAuth } from './middleware.js';
export { clerkClient, currentUser, ClerkTokenError } from './middleware.js';
export type { ClerkTokenErrorCode, GetToken, GetTokenOptions, User } from './middleware.js';
export { clerkWebhook, type ClerkWebhookOptions } from './middleware.js';
export type {
  AuthRequirement,
  ClerkMiddlewareOptions,
  ClerkRequestContext,
  ClerkVariables,
  RequireAuthOptions,
  SignedOutMachineAuthObject,
} from './middleware.js';

// The npm entry types `c.get('clerkAuth')` for every Hono app. JSR refuses module augmentation
// (a "slow type"), so jsr.json points `./hono` at middleware.ts, which has everything else.
declare module 'hono' {
  interface ContextVariableMap extends ClerkVariables {}
}
