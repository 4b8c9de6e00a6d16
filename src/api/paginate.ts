/** An item of a list answer: Clerk lists are either plain arrays or `{ data, total_count }`. */
export type PageItem<R> = R extends Array<infer X> ? X : R extends { data: Array<infer X> } ? X : never;

interface PageQuery {
  query?: { limit?: number; offset?: number } & Record<string, unknown>;
}

const DEFAULT_PAGE_SIZE = 100;

/**
 * Walks every item of a list operation page by page (`limit`/`offset`), stopping at a short page
 * or at `total_count`. `init.query.limit` sets the page size (default 100), `init.query.offset`
 * where to start; other query parameters (filters, `order_by`) are sent with every page.
 *
 * @example
 * ```ts
 * import { createClerkClient } from 'clerk-edge/api';
 *
 * const clerk = createClerkClient();
 * for await (const user of clerk.paginate(clerk.users.list, { query: { order_by: '-created_at' } })) {
 *   console.info(user.id);
 * }
 * ```
 */
export async function* paginate<F extends (init: never) => Promise<unknown>>(
  list: F,
  init?: Parameters<F>[0],
): AsyncGenerator<PageItem<Awaited<ReturnType<F>>>, void, undefined> {
  const base = (init ?? {}) as PageQuery;
  const limit = base.query?.limit ?? DEFAULT_PAGE_SIZE;
  let offset = base.query?.offset ?? 0;
  for (;;) {
    const page = (await (list as unknown as (init: PageQuery) => Promise<unknown>)({
      ...base,
      query: { ...base.query, limit, offset },
    })) as unknown[] | { data?: unknown[]; total_count?: number };
    const items = Array.isArray(page) ? page : (page.data ?? []);
    const total = Array.isArray(page) ? undefined : page.total_count;
    for (const item of items) yield item as PageItem<Awaited<ReturnType<F>>>;
    offset += items.length;
    if (items.length < limit || items.length === 0 || (total !== undefined && offset >= total)) return;
  }
}
