// The changes made from a form that the owning module does not audit itself: the change and its
// audit entry commit together, in one transaction.
import { appendAudit } from '../access/index.ts';
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import type { PageContext, WebDeps } from './web-page.ts';

export async function auditedChange<T>(
  deps: WebDeps,
  ctx: PageContext,
  entry: { action: string; target: string; details?: Record<string, unknown> },
  change: (tx: Queryable) => Promise<T>,
): Promise<T> {
  return deps.db.transaction(async (tx) => {
    const result = await change(tx);
    await appendAudit(tx, { ...entry, at: deps.clock.now(), actor: ctx.actor });
    return result;
  });
}

/** A numeric route parameter (`/notifications/:id/replay`), or a plain error naming it. */
export function numberParam(ctx: PageContext, name: string, what: string): number {
  const raw = ctx.params[name] ?? '';
  const n = Number(raw);
  if (!/^[0-9]{1,15}$/.test(raw) || n < 1)
    throw new BridgeError('USAGE', `${what} must be a number, got "${raw}"`);
  return n;
}
