// The audit hash chain, pure: canonical content of an entry and its hash. Each hash covers the
// previous entry's hash and this entry's content (seq included), so edits, removals and reorders
// all break the chain.
import crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  seq: number;
  at: string; // ISO 8601, millisecond precision, UTC
  actorType: 'user' | 'token' | 'system' | 'anonymous' | 'cli';
  actorId: string;
  role: string | null;
  action: string;
  purpose: string | null;
  outcome: string;
  childIds: readonly string[];
  target: string | null;
  details: unknown;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(rec)
    .filter((k) => rec[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(',')}}`;
}

export function entryHash(prevHash: string, content: AuditContent): string {
  return crypto
    .createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson(content))
    .digest('hex');
}

export interface ChainProblem {
  seq: number;
  problem: 'hash_mismatch' | 'prev_mismatch' | 'gap' | 'head_mismatch';
  message: string;
}

export interface StoredEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

/**
 * Checks a run of entries in seq order. `start` is the expected seq and previous hash of the first
 * entry (1 and the genesis hash for the whole log). Returns the problems and the last seq/hash seen.
 */
export function checkChain(
  entries: Iterable<StoredEntry>,
  start: { seq: number; prevHash: string },
): { problems: ChainProblem[]; last: { seq: number; hash: string } } {
  const problems: ChainProblem[] = [];
  let expectSeq = start.seq;
  let prev = start.prevHash;
  for (const e of entries) {
    if (e.seq !== expectSeq) {
      problems.push({
        seq: e.seq,
        problem: 'gap',
        message: `entries ${expectSeq}..${e.seq - 1} are missing before entry ${e.seq}`,
      });
    }
    if (e.prevHash !== prev) {
      problems.push({
        seq: e.seq,
        problem: 'prev_mismatch',
        message: `entry ${e.seq} does not follow the entry before it`,
      });
    }
    const { prevHash: _p, hash, ...content } = e;
    if (entryHash(e.prevHash, content) !== hash) {
      problems.push({
        seq: e.seq,
        problem: 'hash_mismatch',
        message: `entry ${e.seq} was changed after it was written`,
      });
    }
    prev = hash;
    expectSeq = e.seq + 1;
  }
  return { problems, last: { seq: expectSeq - 1, hash: prev } };
}
