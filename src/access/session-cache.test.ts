import { describe, expect, it } from 'vitest';
import { createSessionCache } from './session-cache.ts';
import type { Actor } from './policy.ts';

// A case manager signed in through a session.
const caseManager: Actor = {
  kind: 'user',
  userId: 3,
  username: 'cm1',
  role: 'orr_case_manager',
  officeId: null,
  officeStates: [],
};
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe('session cache', () => {
  function lookups(result: { actor: Actor; expiresAt: Date } | undefined) {
    let n = 0;
    return {
      lookup: async () => {
        n++;
        return result;
      },
      count: () => n,
    };
  }

  it('asks the database once per session within the window, and again after it', async () => {
    const cache = createSessionCache(2000);
    const l = lookups({ actor: caseManager, expiresAt: at(3_600_000) });
    expect(await cache.actor('s1', at(0), l.lookup)).toEqual(caseManager);
    expect(await cache.actor('s1', at(1999), l.lookup)).toEqual(caseManager);
    expect(l.count()).toBe(1);
    await cache.actor('s1', at(2000), l.lookup);
    expect(l.count()).toBe(2);
  });

  it('never remembers a session past its end, nor one the database does not know', async () => {
    const cache = createSessionCache(2000);
    const ending = lookups({ actor: caseManager, expiresAt: at(500) });
    await cache.actor('s1', at(0), ending.lookup);
    const gone = lookups(undefined);
    expect(await cache.actor('s1', at(500), gone.lookup)).toBeUndefined();
    expect(await cache.actor('s1', at(600), gone.lookup)).toBeUndefined();
    expect(gone.count()).toBe(2);
  });

  it('forgets a signed-out session at once', async () => {
    const cache = createSessionCache(2000);
    await cache.actor('s1', at(0), lookups({ actor: caseManager, expiresAt: at(3_600_000) }).lookup);
    cache.forget('s1');
    const gone = lookups(undefined);
    expect(await cache.actor('s1', at(1), gone.lookup)).toBeUndefined();
    expect(gone.count()).toBe(1);
  });
});
