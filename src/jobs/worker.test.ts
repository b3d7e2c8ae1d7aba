import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { openPostgres } from '../db/postgres.ts';
import { silentLog } from '../shared/log.ts';
import { Worker, retryDelaySeconds } from './worker.ts';
import { enqueueJob } from './index.ts';
import type { Db } from '../db/index.ts';

describe('retry delay', () => {
  it('grows exponentially with full jitter and is capped at an hour', () => {
    expect(retryDelaySeconds(1, () => 1)).toBe(2);
    expect(retryDelaySeconds(5, () => 1)).toBe(32);
    expect(retryDelaySeconds(30, () => 1)).toBe(3600);
    expect(retryDelaySeconds(5, () => 0)).toBe(1);
  });
});

describe(`jobs on ${testEngine}`, () => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a running worker is woken by the commit that queues a job, not by its next poll', async () => {
    t = await createTestDb();
    const db = t.db;
    let ran: () => void = () => {};
    const done = new Promise<string>((r) => (ran = () => r('ran')));
    const worker = new Worker({ db, log: silentLog, pollMs: 60_000, handlers: { ping: async () => ran() } });
    worker.start();
    try {
      expect(await worker.listening()).toBe(true);
      await new Promise((r) => setTimeout(r, 300)); // asleep for a minute after an empty poll
      await db.transaction((tx) => enqueueJob(tx, 'ping', {}));
      const timeout = new Promise<string>((r) => setTimeout(() => r('waited for the poll'), 10_000));
      expect(await Promise.race([done, timeout])).toBe('ran');
    } finally {
      await worker.stop();
    }
  });

  it('runs a queued job once, retries a failing one later, and gives up after max attempts', async () => {
    t = await createTestDb();
    const db = t.db;
    await db.exec('CREATE TABLE done_log (job_id bigint, n int)');
    await enqueueJob(db, 'ok', { n: 1 });
    await enqueueJob(db, 'bad', {}, { maxAttempts: 1 });
    await enqueueJob(db, 'flaky', {}, { maxAttempts: 3 });
    const worker = new Worker({
      db,
      log: silentLog,
      handlers: {
        ok: async (job, d) => {
          await d.db.query('INSERT INTO done_log VALUES ($1, $2)', [job.id, job.payload.n]);
        },
        bad: async () => {
          throw new Error('receiver said no');
        },
        flaky: async () => {
          throw new Error('try later');
        },
      },
    });
    expect(await worker.drain()).toBe(3);
    const jobs = await db.query<{
      queue: string;
      status: string;
      attempts: number;
      last_error: string | null;
    }>('SELECT queue, status, attempts, last_error FROM job ORDER BY id');
    expect(jobs).toEqual([
      { queue: 'ok', status: 'done', attempts: 1, last_error: null },
      { queue: 'bad', status: 'failed', attempts: 1, last_error: 'receiver said no' },
      { queue: 'flaky', status: 'queued', attempts: 1, last_error: 'try later' },
    ]);
    expect(await db.query('SELECT n FROM done_log')).toEqual([{ n: 1 }]);
  });

  it('a dedupe key queues the same work only once', async () => {
    t = await createTestDb();
    expect(await enqueueJob(t.db, 'ok', {}, { dedupeKey: 'batch-7' })).toBeTypeOf('number');
    expect(await enqueueJob(t.db, 'ok', {}, { dedupeKey: 'batch-7' })).toBeNull();
  });

  it.runIf(testEngine === 'postgres')(
    'two workers with their own connections to the server never run the same job twice',
    async () => {
      t = await createTestDb();
      await t.db.exec('CREATE TABLE done_log (job_id bigint PRIMARY KEY, worker text)');
      const total = 300;
      await t.db.query(
        `INSERT INTO job (queue, payload) SELECT 'count', '{}'::jsonb FROM generate_series(1, $1)`,
        [total],
      );
      const pools: Db[] = [await openPostgres(t.url!, { max: 2 }), await openPostgres(t.url!, { max: 2 })];
      try {
        const workers = pools.map(
          (db, i) =>
            new Worker({
              db,
              log: silentLog,
              id: `w${i}`,
              batchSize: 5,
              handlers: {
                count: async (job, d) => {
                  // A duplicate run would violate the primary key and show up as a failed job.
                  await d.db.query('INSERT INTO done_log VALUES ($1, $2)', [job.id, `w${i}`]);
                  await new Promise((r) => setTimeout(r, 1));
                },
              },
            }),
        );
        const ran = await Promise.all(workers.map((w) => w.drain()));
        expect(ran[0]! + ran[1]!).toBe(total);
        expect(ran[0]).toBeGreaterThan(0);
        expect(ran[1]).toBeGreaterThan(0);
        const [done] = await t.db.query<{ n: number; distinct_jobs: number }>(
          'SELECT count(*)::int AS n, count(DISTINCT job_id)::int AS distinct_jobs FROM done_log',
        );
        expect(done).toEqual({ n: total, distinct_jobs: total });
        const [states] = await t.db.query<{ done: number }>(
          `SELECT count(*) FILTER (WHERE status = 'done')::int AS done FROM job`,
        );
        expect(states!.done).toBe(total);
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
    },
  );
});

describe(`jobs of a killed worker on ${testEngine}`, () => {
  it('a worker starting takes back at once the jobs of a process of this machine that ended', async () => {
    const t = await createTestDb();
    try {
      const db = t.db;
      // A process that has ended (its pid no longer runs), and one that runs: this one.
      const ended = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
      const dead = await enqueueJob(db, 'ping', {});
      const alive = await enqueueJob(db, 'ping', {});
      await db.query(
        `UPDATE job SET status = 'running', locked_at = now(), attempts = 1,
           locked_by = CASE id WHEN $1::bigint THEN $3 ELSE $4 END WHERE id IN ($1, $2)`,
        [dead, alive, `${os.hostname()}:${ended}:abc`, `${os.hostname()}:${process.pid}:def`],
      );
      const ran: number[] = [];
      const worker = new Worker({
        db,
        log: silentLog,
        handlers: { ping: async (job) => void ran.push(job.id) },
      });
      worker.start();
      try {
        for (let i = 0; i < 100 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await worker.stop();
      }
      // The dead process's job ran well before its claim (5 minutes) expired; the live one's is kept.
      expect(ran).toEqual([dead]);
      const rows = await db.query<{ id: number; status: string }>(`SELECT id, status FROM job ORDER BY id`);
      expect(rows).toEqual([
        { id: dead, status: 'done' },
        { id: alive, status: 'running' },
      ]);
    } finally {
      await t.close();
    }
  });
});
