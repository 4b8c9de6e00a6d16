export { createClerkEmulator } from './emulator.js';
export { TOKEN_CATEGORY } from './emulator-types.js';
export type {
  ClerkEmulator,
  ClerkEmulatorOptions,
  CreateApiKeyOptions,
  CreateM2MTokenOptions,
  CreateOAuthTokenOptions,
  CreateSessionOptions,
  CreateSessionTokenOptions,
  EmulatorRequest,
  SignTokenOptions,
} from './emulator-types.js';
export type { FaultSpec } from './faults.js';
export { createTestKeyPair, signTestToken } from './keys.js';
export type { CreateTestKeyPairOptions, SignTestTokenOptions, TestKeyPair } from './keys.js';
export { cookieSuffix, createPublishableKey } from './publishable-key.js';
export type { InstanceType } from './publishable-key.js';
export type { ClerkResourceRoute, ResourceEvent, ResourceEventType, ResourceStore } from './resources/index.js';
export { CLERK_EMULATOR_ROUTES } from './routes.js';
export type { ClerkEmulatorRoute } from './routes.js';
export type {
  ClerkApiKeyJSON,
  ClerkErrorsJSON,
  ClerkM2MTokenJSON,
  ClerkOAuthAccessTokenJSON,
  ClerkSessionJSON,
  ClerkSessionStatus,
} from './types.js';
export type {
  EmulatorWebhooks,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryMode,
  WebhookEndpoint,
  WebhookEndpointOptions,
} from './webhooks.js';
