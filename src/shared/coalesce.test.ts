import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { coalesced } from './coalesce.ts';

describe('coalesced', () => {
  it('runs the same key once for the calls of one turn, and each key of its own', async () => {
    const runs: string[] = [];
    const once = coalesced<{ key: string }>();
    const run = (key: string) => async () => {
      runs.push(key);
      return { key };
    };
    const [a1, a2, b] = await Promise.all([once('a', run('a')), once('a', run('a')), once('b', run('b'))]);
    expect(runs).toEqual(['a', 'b']);
    expect(a1).toBe(a2);
    expect(b).toEqual({ key: 'b' });
  });

  it('starts a run after the calls it answers, and keeps nothing for a later turn', async () => {
    const once = coalesced<number>();
    let value = 1;
    const read = async () => value;
    const first = once('k', read);
    value = 2; // changed after the call, in the same turn: the run sees it
    expect(await first).toBe(2);
    await nextTurn();
    value = 3;
    expect(await once('k', read)).toBe(3);
  });

  it('gives every caller of a failed run its error', async () => {
    const once = coalesced<number>();
    const fail = async (): Promise<number> => {
      throw new RangeError('no such page');
    };
    const results = await Promise.allSettled([once('x', fail), once('x', fail), once('y', async () => 7)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('no such page');
  });
});
