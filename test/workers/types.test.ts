import type { ExecutionContext, KVNamespace } from '@cloudflare/workers-types/index';
import { describe, expectTypeOf, it } from 'vitest';
import {
  withClerk,
  type ClerkWorker,
  type KvNamespaceLike,
  type WorkerExecutionContext,
} from '../../src/workers/index.js';

describe('clerk-edge/workers types', () => {
  it('accepts a Workers KV binding and a Workers ExecutionContext', () => {
    expectTypeOf<KVNamespace>().toExtend<KvNamespaceLike>();
    expectTypeOf<ExecutionContext>().toExtend<WorkerExecutionContext>();
  });

  it('returns a module Worker typed by its Env', () => {
    interface Env {
      CLERK_SECRET_KEY: string;
    }
    const worker = withClerk<Env>(() => new Response('ok'), { secretKey: 'sk_test_x' });
    expectTypeOf(worker).toEqualTypeOf<ClerkWorker<Env>>();
    expectTypeOf(worker.fetch).parameter(1).toEqualTypeOf<Env>();
    expectTypeOf(worker.fetch).parameter(2).toEqualTypeOf<WorkerExecutionContext>();
  });
});
