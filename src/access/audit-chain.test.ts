import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkChain,
  entryHash,
  GENESIS_HASH,
  type AuditContent,
  type StoredEntry,
} from './audit-chain.ts';

function chain(n: number): StoredEntry[] {
  const out: StoredEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const c: AuditContent = {
      seq: i,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      actorType: 'user',
      actorId: 'u1',
      role: 'ero_officer',
      action: 'child.read',
      purpose: 'child_safety',
      outcome: 'ok',
      childIds: [`C-${i}`],
      target: null,
      details: { n: i },
    };
    const hash = entryHash(prev, c);
    out.push({ ...c, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit chain', () => {
  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('accepts an intact chain', () => {
    const res = checkChain(chain(5), { seq: 1, prevHash: GENESIS_HASH });
    expect(res.problems).toEqual([]);
    expect(res.last.seq).toBe(5);
  });

  it.each([
    ['a changed field', (c: StoredEntry[]): unknown => (c[2]!.childIds = ['C-999']), 'hash_mismatch', 3],
    ['a changed purpose', (c: StoredEntry[]): unknown => (c[1]!.purpose = 'enforcement'), 'hash_mismatch', 2],
    ['a removed entry', (c: StoredEntry[]): unknown => c.splice(2, 1), 'gap', 4],
    ['a swapped pair', (c: StoredEntry[]): unknown => ([c[1], c[2]] = [c[2]!, c[1]!]), 'gap', 3],
  ] as const)('finds %s', (_name, tamper, problem, seq) => {
    const c = chain(5);
    tamper(c);
    const res = checkChain(c, { seq: 1, prevHash: GENESIS_HASH });
    expect(res.problems).toContainEqual(expect.objectContaining({ problem, seq }));
  });

  it('finds a rewritten entry even when its own hash was recomputed', () => {
    const c = chain(4);
    const { prevHash: _p, hash: _h, ...content } = c[1]!;
    const forged = { ...content, actorId: 'someone-else' };
    c[1] = { ...forged, prevHash: c[0]!.hash, hash: entryHash(c[0]!.hash, forged) };
    const res = checkChain(c, { seq: 1, prevHash: GENESIS_HASH });
    expect(res.problems).toContainEqual(expect.objectContaining({ problem: 'prev_mismatch', seq: 3 }));
  });
});
