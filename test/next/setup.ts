// `unstable_doesMiddlewareMatch` (next/experimental/testing/server) expects the global
// AsyncLocalStorage that Next's own runtimes install.
import { AsyncLocalStorage } from 'node:async_hooks';

(globalThis as { AsyncLocalStorage?: unknown }).AsyncLocalStorage ??= AsyncLocalStorage;
