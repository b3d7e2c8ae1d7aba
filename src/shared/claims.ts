// Jobs and deliveries are claimed in the holder's name, `host:pid:...`. A holder on this machine whose
// process no longer runs (kill -9, a crash) will never finish: its claims can be taken back at once
// instead of after the time that covers holders on other machines, which cannot be checked.
import os from 'node:os';
import type { Queryable } from '../db/index.ts';

/** Whether a process with this id runs on this machine. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holders among `holders` that ran on this machine in a process that has ended. */
export function deadLocalHolders(holders: readonly string[], host = os.hostname()): string[] {
  return holders.filter((h) => {
    const [holderHost, pidText] = h.split(':');
    const pid = Number(pidText);
    return holderHost === host && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid);
  });
}

/** A table whose rows are claimed: the status of a claimed row and the status it goes back to. */
export interface ClaimedTable {
  table: 'job' | 'notify_delivery';
  claimed: string;
  free: string;
}

/** Puts back the rows claimed by holders on this machine whose process has ended; returns how many. */
export async function releaseClaimsOfDeadHolders(db: Queryable, t: ClaimedTable): Promise<number> {
  const held = await db.query<{ locked_by: string }>(
    `SELECT DISTINCT locked_by FROM ${t.table} WHERE status = $1 AND locked_by IS NOT NULL`,
    [t.claimed],
  );
  const dead = deadLocalHolders(held.map((h) => h.locked_by));
  if (dead.length === 0) return 0;
  const rows = await db.query(
    `UPDATE ${t.table} SET status = $1, locked_by = NULL, locked_at = NULL
     WHERE status = $2 AND locked_by = ANY($3::text[]) RETURNING id`,
    [t.free, t.claimed, dead],
  );
  return rows.length;
}
