// Type-level plumbing that turns the generated `paths` into call signatures. No runtime code.
import type { paths } from './generated/bapi.js';

/** The HTTP methods the Backend API spec uses. */
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** Spec paths (`/users/{user_id}`) that have an operation for `M`. */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

/** The generated operation object for a method and path. */
export type OperationAt<M extends HttpMethod, P> = P extends keyof paths ? NonNullable<paths[P][M]> : never;

type Params<O> = O extends { parameters: infer X } ? X : never;

type PathPart<X> = X extends { path: infer V } ? ([V] extends [never] ? unknown : { path: V }) : unknown;
type QueryPart<X> = X extends { query: infer V }
  ? [V] extends [never]
    ? unknown
    : { query: V }
  : X extends { query?: infer V }
    ? [NonNullable<V>] extends [never]
      ? unknown
      : { query?: V }
    : unknown;
type BodyPart<O> = O extends { requestBody: { content: infer C } }
  ? { body: C extends { 'application/json': infer B } ? B : FormData }
  : O extends { requestBody?: { content: infer C } }
    ? { body?: C extends { 'application/json': infer B } ? B : FormData }
    : unknown;

/**
 * What one call takes: `path` parameters, `query` parameters and the JSON `body`, each typed from
 * the spec and present only when the operation has them.
 */
export type CallInit<O> = PathPart<Params<O>> & QueryPart<Params<O>> & BodyPart<O>;

/** `[init]` when something is required, `[init?]` otherwise. */
// biome-ignore lint/complexity/noBannedTypes: `{}` is exactly the empty init this test needs
export type CallArgs<O> = {} extends CallInit<O> ? [init?: CallInit<O>] : [init: CallInit<O>];

type SuccessStatus = 200 | 201 | 202 | 204;

/** The parsed JSON of the operation's success answer(s). */
export type CallResult<O> = O extends { responses: infer R }
  ? {
      [K in keyof R]: K extends SuccessStatus
        ? R[K] extends { content: { 'application/json': infer J } }
          ? J
          : undefined
        : never;
    }[keyof R]
  : never;

/** One typed operation: `(init) => Promise<answer>`. */
export type Caller<M extends HttpMethod, P> = (
  ...init: CallArgs<OperationAt<M, P>>
) => Promise<CallResult<OperationAt<M, P>>>;

/** The loose init every call is made of at run time. */
export interface AnyInit {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}
