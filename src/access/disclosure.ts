// What every edge that discloses children shares: record scope as one SQL predicate, the actor of a
// request or of the command line, a database whose transactions also write the audit entry of the
// act, and the view an outbound message's subscriber gets. Routes, pages, exports and webhooks use
// these, so a rule changes in one place.
import os from 'node:os';
import type { FastifyRequest } from 'fastify';
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { childIdsOfTasks } from './access.queries.ts';
import { BridgeError } from '../shared/errors.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import type { AuditWriter } from './audit-writer.ts';
import { maskFor, masksNothingFor, type MaskedAs } from './mask.ts';
import { ADDRESS_RECORD_SQL, NEWEST_RECORD_FIRST_SQL } from '../cases/cases.queries.ts';
export { childIdsOfRecords, childIdsOfReviewPair, childIdsOfTasks } from './access.queries.ts';
import {
  isPurpose,
  purposeAllowed,
  recordScope,
  type Actor,
  type Purpose,
  type RecordScope,
  type Role,
} from './policy.ts';

/** Who acted in an audit entry: a signed-in user or token, the command line's user, or the system. */
export type AuditActor = AuditEntry['actor'];

/** SQL for the US state (upper case) of the child `childIdExpr`'s current address. */
export function currentStateSql(childIdExpr: string): string {
  return `(SELECT upper(trim(r.addr_state))
     FROM record_link l JOIN record r ON r.id = l.record_pk
    WHERE l.child_id = ${childIdExpr} AND ${ADDRESS_RECORD_SQL}
    ORDER BY ${NEWEST_RECORD_FIRST_SQL}
    LIMIT 1)`;
}

/**
 * The same state for every child with an address record at once (child_id, state): one sort of
 * the address records instead of a lookup per child.
 */
export const CURRENT_STATES_SQL = `SELECT DISTINCT ON (l.child_id) l.child_id, upper(trim(r.addr_state)) AS state
     FROM record_link l JOIN record r ON r.id = l.record_pk
    WHERE ${ADDRESS_RECORD_SQL}
    ORDER BY l.child_id, ${NEWEST_RECORD_FIRST_SQL}`;

/**
 * The record-scope predicate every child-reading query shares: true when the child `childIdExpr`
 * is within `scope`. `param` adds a query parameter and returns its placeholder (`$3`).
 */
export function childScopeSql(
  scope: RecordScope,
  childIdExpr: string,
  param: (value: unknown) => string,
): string {
  if (scope.kind === 'all') return 'true';
  if (scope.kind === 'none') return 'false';
  const states = scope.states.map((s) => s.toUpperCase());
  return `COALESCE(${currentStateSql(childIdExpr)} = ANY(${param(states)}::text[]), false)`;
}

/** The scope of an actor; the system and the command line (no actor) see every child. */
export function scopeOfActor(actor: AuditActor): RecordScope {
  if (actor === null || actor.kind === 'anonymous' || actor.kind === 'cli') return { kind: 'all' };
  return recordScope(actor);
}

/** Of `childIds`, those within `scope` (in the order given). */
export async function childrenInScope(
  q: Queryable,
  scope: RecordScope,
  childIds: readonly string[],
): Promise<string[]> {
  if (scope.kind === 'all' || childIds.length === 0) return [...childIds];
  if (scope.kind === 'none') return [];
  const params: unknown[] = [childIds];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const rows = await q.query<{ id: string }>(
    `SELECT c.id FROM unnest($1::text[]) AS c(id) WHERE ${childScopeSql(scope, 'c.id', param)}`,
    params,
  );
  const inScope = new Set(rows.map((r) => r.id));
  return childIds.filter((id) => inScope.has(id));
}

/** The actor of a request: null when the server runs without the access layer (in-process tools). */
export function actorOfRequest(req: FastifyRequest): Actor | null {
  return req.actor ?? null;
}

/** The person at the command line (BRIDGE_USER, else the operating-system account). */
export function cliActor(purpose?: string): { kind: 'cli'; osUser: string; purpose: Purpose } {
  const stated = purpose ?? 'administration';
  if (!isPurpose(stated)) throw new BridgeError('USAGE', `unknown purpose "${stated}"`);
  const osUser = process.env.BRIDGE_USER || os.userInfo().username;
  return { kind: 'cli', osUser, purpose: stated };
}

/** Whom and for what the field rules are applied to an actor's reads; null: they see every field. */
function maskedAs(actor: AuditActor, purpose: Purpose | null): { as: MaskedAs; purpose: Purpose } | null {
  // The command line and the system (no actor) see every field.
  if (actor === null || actor.kind === 'cli' || actor.kind === 'anonymous') return null;
  if (actor.kind === 'user' && (purpose === null || !purposeAllowed(actor.role, purpose))) {
    // No purpose the role may state: only the fields no rule guards.
    return {
      as: { kind: 'token', tokenId: 0, name: '', agency: '', permission: 'child.read', resource: null },
      purpose: 'oversight',
    };
  }
  return { as: actor, purpose: purpose ?? 'oversight' };
}

/**
 * The copy of `object` the actor may see for `purpose`: people and tokens see what the field rules
 * allow, the command line and the system every field.
 */
export function maskForActor<T>(actor: AuditActor, purpose: Purpose | null, object: T): T {
  const m = maskedAs(actor, purpose);
  return m ? maskFor(m.as, m.purpose, object) : object;
}

/** Whether `maskForActor` leaves every field of anything to the actor for `purpose`. */
export function masksNothing(actor: AuditActor, purpose: Purpose | null): boolean {
  const m = maskedAs(actor, purpose);
  return m === null || masksNothingFor(m.as, m.purpose);
}

/**
 * The same database, except that the first transaction a use case opens (its act) also appends
 * `audit(tx, result)` before it commits: the act and its audit entry commit or fail together,
 * without the use case knowing about access. Later transactions (re-linking after a decision) are
 * consequences of the act and pass through.
 */
export function auditedDb<R>(db: Db, audit: (tx: Queryable, result: R) => Promise<unknown>): Db {
  let audited = false;
  return {
    engine: db.engine,
    description: db.description,
    url: db.url,
    query: (sql, params, options) => db.query(sql, params, options),
    exec: (sql) => db.exec(sql),
    copyRows: (table, columns, rows) => db.copyRows(table, columns, rows),
    copyText: (table, columns, text) => db.copyText(table, columns, text),
    copyOut: (sql, onRow) => db.copyOut(sql, onRow),
    withAdvisoryLock: (key, fn) => db.withAdvisoryLock(key, fn),
    close: () => db.close(),
    transaction: (fn) => {
      if (audited) return db.transaction(fn);
      audited = true;
      return db.transaction(async (tx) => {
        const result = await fn(tx);
        await audit(tx, result as unknown as R);
        return result;
      });
    },
  };
}

/**
 * Runs `act` in one transaction that also appends its audit entry (`about` the act's result), for
 * use cases that take a Queryable and open no transaction themselves.
 */
export function auditedAct<T>(
  db: Db,
  clock: Clock,
  actor: AuditActor,
  action: string,
  act: (tx: Queryable) => Promise<T>,
  about: (result: T) => Pick<AuditEntry, 'target' | 'childIds' | 'details'>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await act(tx);
    await auditAct(tx, clock.now(), actor, null, { action, ...about(result) });
    return result;
  });
}

/** The database for a change to tasks: the use case's transaction records it with the tasks' children. */
export function auditedTaskDb(
  db: Db,
  clock: Clock,
  actor: AuditActor,
  action: string,
  taskIds: readonly string[],
): Db {
  return auditedDb(db, async (tx) =>
    auditAct(tx, clock.now(), actor, null, {
      action,
      childIds: await childIdsOfTasks(tx, taskIds),
      target: taskIds.length === 1 ? `task:${taskIds[0]}` : null,
      details: { tasks: taskIds.length },
    }),
  );
}

/** The full entry of an act by `actor`: the command line states its purpose when it starts. */
function entryOf(
  at: Date,
  actor: AuditActor,
  purpose: Purpose | null,
  entry: Omit<AuditEntry, 'at' | 'actor' | 'purpose'>,
): AuditEntry {
  return { ...entry, at, actor, purpose: purpose ?? (actor?.kind === 'cli' ? actor.purpose : null) };
}

/** Appends the audit entry of an act by `actor` (call inside the act's transaction). */
export function auditAct(
  tx: Queryable,
  at: Date,
  actor: AuditActor,
  purpose: Purpose | null,
  entry: Omit<AuditEntry, 'at' | 'actor' | 'purpose'>,
) {
  return appendAudit(tx, entryOf(at, actor, purpose, entry));
}

/**
 * Records a read that changed nothing, with the next batch of `audit`. Await it before answering:
 * it resolves once the entry has committed and throws when it could not be written. Call it outside
 * any transaction: the batch needs a connection of its own, and waits for the chain's lock.
 */
export function auditRead(
  audit: AuditWriter,
  at: Date,
  actor: AuditActor,
  purpose: Purpose | null,
  entry: Omit<AuditEntry, 'at' | 'actor' | 'purpose'>,
) {
  return audit.append(entryOf(at, actor, purpose, entry));
}

// Who an outbound message's subscriber is, for the field rules: the agency's role and the purpose
// its messages serve (ERO receives sponsor contact details for the child's safety, never the
// sponsor's immigration status).
const SUBSCRIBER_VIEW: Record<string, { role: Role; purpose: Purpose }> = {
  ORR: { role: 'orr_case_manager', purpose: 'case_management' },
  ICE_ERO: { role: 'ero_officer', purpose: 'child_safety' },
  ICE_OPLA: { role: 'opla_attorney', purpose: 'legal_proceedings' },
  EOIR: { role: 'court_staff', purpose: 'adjudication' },
  OVERSIGHT: { role: 'oversight_auditor', purpose: 'oversight' },
};

/** The copy of an outbound payload that a subscriber of `agency` may receive. */
export function maskForSubscriber<T>(agency: string, payload: T): T {
  const view = SUBSCRIBER_VIEW[agency];
  if (!view)
    return maskForActor(
      { kind: 'token', tokenId: 0, name: agency, agency, permission: 'notify.receive', resource: null },
      null,
      payload,
    );
  return maskFor({ kind: 'role', role: view.role }, view.purpose, payload);
}
