export { clerkMiddleware } from './middleware.js';
export { createRouteMatcher } from './route-matcher.js';
export { auth, createAuth } from './auth.js';
export { clerkClient } from './clerk-client.js';
export { currentUser, type User } from './current-user.js';
export { ClerkTokenError } from '../core/template-tokens.js';
export type { ClerkTokenErrorCode, GetToken, GetTokenOptions } from '../core/template-tokens.js';
export { FORWARDED_AUTH_HEADER, FORWARDED_SIGNATURE_HEADER } from './forwarded.js';

export type {
  ClerkMiddlewareAuth,
  ClerkMiddlewareHandler,
  ClerkMiddlewareOptions,
  ProtectOptions,
  ProtectParams,
  ProtectPredicate,
} from './middleware.js';
export type { RouteMatcherParam, RoutePattern } from './route-matcher.js';
export type { AuthFunction, AuthOptions } from './auth.js';
export type { UnauthorizedBehaviour } from './responses.js';
export type { AuthObject, AuthStatus, RequestState } from '../core/state.js';
export type { SessionAuthObject, SignedOutAuthObject, HasParams } from '../core/claims.js';
export type { MachineAuthObject } from '../core/machine.js';
export type { AcceptsToken, TokenType } from '../core/token-class.js';
export type { ClerkEdgeOptions } from '../core/config.js';
