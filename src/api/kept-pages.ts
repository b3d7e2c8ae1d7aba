// Worklist pages kept as the bytes they were written out as, and served again while their office's
// tasks are at the version the page was read at. Officers open and reopen their office's worklist
// far more often than its tasks change; a page read again each time costs the server its rows, their
// parsing and 27 KB of JSON per request. Each request still reads its office's version (one batched
// primary-key lookup per turn), so a change committed anywhere, by any serving process, is seen by
// the next request; and each request is still audited by its caller.
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../db/index.ts';
import { coalesced, perTurnLoader } from '../shared/coalesce.ts';
import { officeVersions } from '../work/index.ts';

export interface KeptPage {
  /** The children the page shows (each request that is served it discloses them). */
  childIds: string[];
  body: Buffer;
}

/**
 * Gives the page `key` of an office: the kept one when the office's version has not moved since it
 * was read, else the one `read` gives (read once for the requests of a turn that ask for it).
 * `key` must name everything the page depends on besides the office's tasks (the filter, the day).
 */
export type KeptPages = (officeId: string, key: string, read: () => Promise<KeptPage>) => Promise<KeptPage>;

export function keptPages(db: Queryable, options: { maxBytes: number }): KeptPages {
  const versions = perTurnLoader<string, string>((ids) => officeVersions(db, ids));
  const kept = new LRUCache<string, KeptPage & { version: string }>({
    maxSize: options.maxBytes,
    sizeCalculation: (p) => p.body.length + 32 * p.childIds.length + 64,
  });
  const reads = coalesced<KeptPage & { version: string }>();
  return async (officeId, key, read) => {
    // The version first: the page read after it holds at least every change up to it.
    const version = await versions.load(officeId);
    const page = kept.get(key);
    if (page?.version === version) return page;
    const fresh = await reads(`${version} ${key}`, async () => ({ ...(await read()), version }));
    // A slower read of an older version does not replace a newer page.
    const latest = kept.get(key);
    if (!latest || BigInt(latest.version) <= BigInt(version)) kept.set(key, fresh);
    return fresh;
  };
}
