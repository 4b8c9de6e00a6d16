/** Hands background work to the platform (`ctx.waitUntil`) so it outlives the response. */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** The part of a platform's execution context (a Worker's `ctx`, Next's `event`, Hono's `c.executionCtx`) used here. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * A {@link WaitUntil} that hands work to the context `read` returns when the work is handed over.
 * It never throws: without a context (Node, Bun), or with one whose lifetime already ended, the
 * work simply runs on unattended. `read` may throw (Hono's `c.executionCtx` does outside Workers).
 *
 * @example
 * ```ts
 * const waitUntil = waitUntilFrom(() => c.executionCtx)
 * waitUntil(refreshKeys())
 * ```
 */
export function waitUntilFrom(read: () => ExecutionContextLike | undefined): WaitUntil {
  return (promise) => {
    try {
      read()?.waitUntil(promise);
    } catch {
      // No execution context, or one that already ended: the promise simply runs on.
    }
  };
}

/**
 * The {@link WaitUntil} of a context that may be absent or lack `waitUntil`; undefined then, so
 * callers that must finish their work before answering (a store write) await it instead.
 *
 * @example
 * ```ts
 * const waitUntil = contextWaitUntil(ctx) // a Worker's ExecutionContext, or Next's NextFetchEvent
 * ```
 */
export function contextWaitUntil(context: Partial<ExecutionContextLike> | null | undefined): WaitUntil | undefined {
  if (!context || typeof context.waitUntil !== 'function') return undefined;
  return waitUntilFrom(() => context as ExecutionContextLike);
}
