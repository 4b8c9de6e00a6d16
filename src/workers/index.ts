export { withClerk } from './with-clerk.js';
export { CacheApiStore } from './cache-api-store.js';
export { KvStore } from './kv-store.js';
export { ClerkTokenError } from '../core/template-tokens.js';

export type {
  ClerkFetchHandler,
  ClerkWorker,
  ClerkWorkerAuth,
  ProtectOptions,
  ProtectRule,
  WithClerkOptions,
  WorkerExecutionContext,
} from './with-clerk.js';
export type { CacheApiStoreOptions } from './cache-api-store.js';
export type { KvNamespaceLike, KvStoreOptions } from './kv-store.js';
export type { AuthObject, RequestState } from '../core/state.js';
export type { CacheStore } from '../core/store.js';
export type { AcceptsToken } from '../core/token-class.js';
export type { AuthRequirement } from '../core/responses.js';
export type { ClerkEdgeOptions } from '../core/config.js';
export type { ClerkTokenErrorCode, GetToken, GetTokenOptions } from '../core/template-tokens.js';
