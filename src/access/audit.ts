// The audit log: `appendAudit` is called inside the transaction of the act it records (a read, a
// list, an export, a write, a message, a login), so the act and its record commit or fail together.
import type { Queryable } from '../db/index.ts';
import type { Actor } from './policy.ts';
import { checkChain, entryHash, GENESIS_HASH, type ChainProblem, type StoredEntry } from './audit-chain.ts';
import * as sql from './access.queries.ts';

export interface AuditEntry {
  at: Date;
  /** Who acted; null for the system itself (jobs, sweeps). */
  actor:
    | Actor
    | null
    | { kind: 'anonymous'; label: string }
    // The person at the command line, by operating-system account, and the purpose they stated.
    | { kind: 'cli'; osUser: string; purpose: string };
  /** What was done: 'child.read', 'child.list', 'child.export', 'auth.login', 'notify.send', ... */
  action: string;
  purpose?: string | null;
  /** 'ok', 'denied', 'failed' */
  outcome?: string;
  /** Every child the act disclosed or changed (a list or export names all it returned). */
  childIds?: readonly string[];
  /** The object acted on when it is not a child: a route, a subscription, a user name. */
  target?: string | null;
  /** Ids and counts only; never personal data. */
  details?: Record<string, unknown>;
}

function actorFields(actor: AuditEntry['actor']): {
  type: StoredEntry['actorType'];
  id: string;
  role: string | null;
} {
  if (actor === null) return { type: 'system', id: 'system', role: null };
  if (actor.kind === 'anonymous') return { type: 'anonymous', id: actor.label, role: null };
  if (actor.kind === 'cli') return { type: 'cli', id: `cli:${actor.osUser}`, role: null };
  if (actor.kind === 'user') return { type: 'user', id: actor.username, role: actor.role };
  return { type: 'token', id: `token:${actor.tokenId}:${actor.name}`, role: null };
}

/**
 * The stored rows of `entries` chained after `head` (null for an empty log), and the new head.
 * Pure: the caller holds the chain's lock from reading the head until its transaction commits.
 */
export function chainEntries(
  head: { seq: number; hash: string } | null,
  entries: readonly AuditEntry[],
): { rows: sql.AuditRow[]; last: { seq: number; hash: string } } {
  let last = head ?? { seq: 0, hash: GENESIS_HASH };
  const rows = entries.map((entry): sql.AuditRow => {
    const a = actorFields(entry.actor);
    const content = {
      seq: last.seq + 1,
      at: entry.at.toISOString(),
      actorType: a.type,
      actorId: a.id,
      role: a.role,
      action: entry.action,
      purpose: entry.purpose ?? null,
      outcome: entry.outcome ?? 'ok',
      childIds: [...(entry.childIds ?? [])],
      target: entry.target ?? null,
      details: entry.details ?? {},
    };
    const hash = entryHash(last.hash, content);
    const row = {
      seq: content.seq,
      at: content.at,
      actor_type: content.actorType,
      actor_id: content.actorId,
      role: content.role,
      action: content.action,
      purpose: content.purpose,
      outcome: content.outcome,
      child_ids: content.childIds,
      target: content.target,
      details: content.details,
      prev_hash: last.hash,
      hash,
    };
    last = { seq: content.seq, hash };
    return row;
  });
  return { rows, last };
}

/**
 * Appends one entry to the chain. Call it with the transaction of the act (`db.transaction`); a
 * change and its entry commit together. Reads that change nothing go through an `AuditWriter`.
 */
export async function appendAudit(tx: Queryable, entry: AuditEntry): Promise<{ seq: number; hash: string }> {
  // Serializes appends across processes for the rest of this transaction.
  await sql.lockAuditChain(tx);
  const head = await sql.auditHead(tx);
  const { rows, last } = chainEntries(head ?? null, [entry]);
  await sql.insertAuditRows(tx, rows, last);
  return last;
}

export function storedEntry(r: sql.AuditRow): StoredEntry {
  return {
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actorType: r.actor_type as StoredEntry['actorType'],
    actorId: r.actor_id,
    role: r.role,
    action: r.action,
    purpose: r.purpose,
    outcome: r.outcome,
    childIds: r.child_ids ?? [],
    target: r.target,
    details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  problems: ChainProblem[];
}

/** Re-reads the whole log in pages and checks every link, and that the head matches the last entry. */
export async function verifyAudit(q: Queryable, pageSize = 5000): Promise<VerifyResult> {
  const problems: ChainProblem[] = [];
  let start = { seq: 1, prevHash: GENESIS_HASH };
  let after = 0;
  let count = 0;
  let last = { seq: 0, hash: GENESIS_HASH };
  for (;;) {
    const rows = await sql.auditPage(q, after, pageSize);
    if (rows.length === 0) break;
    const entries = rows.map(storedEntry);
    const res = checkChain(entries, start);
    problems.push(...res.problems);
    count += entries.length;
    last = res.last;
    after = last.seq;
    start = { seq: last.seq + 1, prevHash: last.hash };
  }
  const head = (await sql.auditHead(q)) ?? null;
  if (head === null && count > 0) {
    problems.push({ seq: last.seq, problem: 'head_mismatch', message: 'the audit head is missing' });
  } else if (head && (head.seq !== last.seq || head.hash !== last.hash)) {
    problems.push({
      seq: head.seq,
      problem: 'head_mismatch',
      message:
        head.seq > last.seq
          ? `entries ${last.seq + 1}..${head.seq} at the end of the log are missing`
          : `the audit head (entry ${head.seq}) does not match the last entry (${last.seq})`,
    });
  }
  return { ok: problems.length === 0, entries: count, head, problems };
}

export interface AccessEntry {
  seq: number;
  at: string;
  actor: string;
  actorType: string;
  role: string | null;
  action: string;
  purpose: string | null;
  outcome: string;
}

/** Who saw or changed one child's record: newest first. */
export async function whoAccessed(q: Queryable, childId: string, limit = 1000): Promise<AccessEntry[]> {
  const rows = await sql.auditForChild(q, childId, limit);
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actor: r.actor_id,
    actorType: r.actor_type,
    role: r.role,
    action: r.action,
    purpose: r.purpose,
    outcome: r.outcome,
  }));
}
