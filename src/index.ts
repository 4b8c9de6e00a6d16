export { createClerkAuth } from './core/authenticate.js';
export { handshakeResponse, isPageLoad } from './core/handshake.js';
export { ClerkConfigurationError, ClerkEdgeError, hintFor } from './core/errors.js';
export { MemoryStore } from './core/store.js';
export { parsePublishableKey, SUPPORTED_ALGORITHMS } from './core/config.js';
export { TOKEN_TYPES } from './core/token-class.js';
export { ClerkTokenError } from './core/template-tokens.js';

export type { AuthenticateRequestOptions, ClerkAuth } from './core/authenticate.js';
export type {
  ClerkEdgeOptions,
  KeyStoreOptions,
  MachineCacheOptions,
  SupportedAlgorithm,
  EnvironmentRecord,
} from './core/config.js';
export type { AuthErrorReason } from './core/errors.js';
export type { CacheStore } from './core/store.js';
export type { AcceptsToken, TokenType } from './core/token-class.js';
export type { AuthObject, AuthStatus, RequestState } from './core/state.js';
export type {
  HasCheck,
  HasParams,
  ReverificationLevel,
  ReverificationPreset,
  SessionAuthObject,
  SessionClaims,
  SignedOutAuthObject,
} from './core/claims.js';
export type { MachineAuthObject, MachineTokenType } from './core/machine.js';
export type { WaitUntil } from './core/wait-until.js';
export type { ClerkTokenErrorCode, GetToken, GetTokenOptions } from './core/template-tokens.js';
