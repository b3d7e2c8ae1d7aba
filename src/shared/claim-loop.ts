// The loop both background workers (jobs, webhook and mail deliveries) run: claim a batch of the
// work due now and do it; when none is due, sleep until the poll interval ends or a commit that
// queued work wakes the loop (LISTEN/NOTIFY on a server); now and then, put back the claims of
// holders that died. The work itself, and how it is claimed and released, is the subclass's.
import type { Db } from '../db/index.ts';
import type { Log } from './log.ts';
import { toError } from './errors.ts';

export interface ClaimLoopOptions {
  db: Db;
  log: Log;
  /** Notification channel of the commits that queue work. */
  channel: string;
  /** What is claimed, for the log: "jobs", "deliveries". */
  what: string;
  /** Milliseconds between polls when there was nothing to do. */
  pollMs: number;
}

/** Milliseconds between looks for claims left by holders that died. */
const RELEASE_EVERY_MS = 30_000;

export abstract class ClaimLoop {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Work was queued since the last claim: poll again at once. */
  private nudged = false;
  private unlisten: Promise<(() => Promise<void>) | null> = Promise.resolve(null);

  protected constructor(private readonly loopOptions: ClaimLoopOptions) {}

  /** Claims and does one batch of due work; returns how much was claimed. */
  abstract runBatch(): Promise<number>;

  /** Puts back work claimed by holders that died; returns how much. */
  abstract releaseStale(): Promise<number>;

  start(): void {
    if (this.loop) return;
    const { db, log, channel, what } = this.loopOptions;
    // The poll stays for work due later and for a listener that lost its connection.
    this.unlisten = db.listen
      ? db
          .listen(channel, () => {
            this.nudged = true;
            this.wake?.();
          })
          .catch((e: unknown) => {
            log.warn({ err: toError(e).message }, `cannot listen for new ${what}; polling only`);
            return null;
          })
      : Promise.resolve(null);
    this.loop = this.run();
  }

  /** Whether commits that queue work wake this loop, once started. */
  async listening(): Promise<boolean> {
    return (await this.unlisten) !== null;
  }

  /** Finishes the work in hand, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await (
      await this.unlisten
    )?.();
    this.unlisten = Promise.resolve(null);
  }

  /** Claims and does work until none is due; returns how much was done. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runBatch();
      if (n === 0) return total;
      total += n;
    }
  }

  private async run(): Promise<void> {
    const { log, what, pollMs } = this.loopOptions;
    let lastRelease = 0;
    while (!this.stopping) {
      try {
        if (Date.now() - lastRelease > RELEASE_EVERY_MS) {
          lastRelease = Date.now();
          const n = await this.releaseStale();
          if (n) log.info({ released: n }, `released abandoned ${what}`);
        }
        this.nudged = false;
        if ((await this.runBatch()) > 0) continue;
      } catch (thrown) {
        // The database may be restarting: keep polling, the work resumes by itself.
        log.error({ err: toError(thrown).message }, `${what} poll failed`);
      }
      if (this.nudged || this.stopping) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}
