/**
 * Cursor pagination of the list endpoints: a page holds at most `limit`
 * items in the list's order, and `nextCursor` (the last item's key) asks for
 * the items after it. A key orders items even after the item it came from
 * is gone or has changed status, so pages neither repeat nor skip.
 */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 500;

export interface PageQuery {
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** How a list is ordered: each item's key, and whether an item comes after a cursor. */
export interface PageOrder<T> {
  readonly keyOf: (item: T) => string;
  readonly isAfter: (item: T, cursor: string) => boolean;
}

/** One page of `ordered` (already filtered, in page order). */
export function pageOf<T>(ordered: readonly T[], query: PageQuery, order: PageOrder<T>): Page<T> {
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_LIMIT, 1), MAX_PAGE_LIMIT);
  const { cursor } = query;
  const after = cursor === undefined ? ordered : ordered.filter((item) => order.isAfter(item, cursor));
  const items = after.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: after.length > limit && last !== undefined ? order.keyOf(last) : null };
}
