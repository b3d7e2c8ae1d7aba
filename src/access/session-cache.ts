// Who a session stands for, remembered for a moment in this process. Without it every request pays
// a database query before it starts, the largest fixed cost of a read under load.
//
// The cost is a short window: a session that another process signs out, or whose account an
// administrator disables, still opens in this process for at most `ttlMs` (2 s by default). A
// sign-out through this process forgets the session at once, and no entry outlives the session.
import type { Actor } from './policy.ts';

export interface SessionCache {
  /** The actor of `sessionId`, from memory when seen within `ttlMs`, else from `lookup`. */
  actor(
    sessionId: string,
    now: Date,
    lookup: () => Promise<{ actor: Actor; expiresAt: Date } | undefined>,
  ): Promise<Actor | undefined>;
  forget(sessionId: string): void;
}

export const SESSION_CACHE_MS = 2000;
/** Sessions remembered at most; the oldest go first. */
const MAX_SESSIONS = 10_000;

export function createSessionCache(ttlMs = SESSION_CACHE_MS): SessionCache {
  const seen = new Map<string, { actor: Actor; until: number }>();
  return {
    async actor(sessionId, now, lookup) {
      const hit = seen.get(sessionId);
      if (hit && hit.until > now.getTime()) return hit.actor;
      seen.delete(sessionId);
      const found = await lookup();
      if (!found || ttlMs <= 0) return found?.actor;
      if (seen.size >= MAX_SESSIONS) seen.delete(seen.keys().next().value!);
      seen.set(sessionId, {
        actor: found.actor,
        until: Math.min(now.getTime() + ttlMs, found.expiresAt.getTime()),
      });
      return found.actor;
    },
    forget(sessionId) {
      seen.delete(sessionId);
    },
  };
}
