// `npm run bench -- notify [--scale S] [--rate R]`: latency from the push of an EOIR hearing-result
// row with the child absent to the signed child.failed_to_appear webhook arriving at a real receiver
// on loopback, over 1,000 × S rows. Target: p99 at most 2 seconds.
//
// The path is the production one: each row is its own push, as an agency system sends it (a
// one-row batch through ingestRows, which queues the record for the projections in its own
// transaction), at R rows per second; a job worker as in `bridge worker` (the real job handlers,
// woken by the commit that queues the job) links the row, evaluates the child's rules, opens FAILED_TO_APPEAR and
// records the notification in the outbox; a delivery worker sends it. Before the timed part the
// 1,000 × S children are loaded through the same ingest (release, NTA, court case; not timed).
// Baseline, measured in the same run: the same signed POST sent directly, without the pipeline.
// Database: a scratch database on the PostgreSQL server in DATABASE_URL (created and dropped),
// else embedded PGlite in memory.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/db/index.ts';
import { silentLog } from '../src/shared/log.ts';
import { isoDate, systemClock } from '../src/shared/clock.ts';
import { createBatch, finishBatch, ingestRows, type Source } from '../src/feeds/index.ts';
import { validRow, type Fields } from '../src/feeds/testing.ts';
import { Worker } from '../src/jobs/index.ts';
import { jobHandlers } from '../src/jobs/handlers.ts';
import {
  PROJECTIONS_QUEUE,
  projections,
  runProjections,
  type ProjectionSummary,
} from '../src/projections.ts';
import { addSubscription, DeliveryWorker } from '../src/notify/index.ts';
import { postWebhook } from '../src/notify/send.ts';
import { startWebhookReceiver } from '../src/notify/test-receivers.ts';
import { withScratchDb } from './lib/bench-database.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const rows = Math.round(1000 * arg('scale', 1));
const rate = arg('rate', 20);
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epochOf = (perfMs: number) => performance.timeOrigin + perfMs;

// Synthetic children only: child i has its own A-number, name and date of birth on every agency's rows.
const GIVEN = ['MARIA JOSE', 'JUAN CARLOS', 'ANA', 'BRAYAN', 'IXCHEL', 'JOSUE', 'DULCE', 'KEVIN'];
const SURNAMES = ['GARCIA', 'LOPEZ', 'TZUL', 'CHOC', 'PEREZ', 'AJU', 'HERNANDEZ', 'CAAL', 'RAMOS', 'XOL'];
const DAY = 86_400_000;
const today = Date.now();
const day = (offset: number) => isoDate(new Date(today + offset * DAY));
const us = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;

function person(i: number) {
  const aNumber = String(300_000_000 + i);
  const given = GIVEN[i % GIVEN.length]!;
  const last = `${SURNAMES[Math.floor(i / 8) % 10]!} ${SURNAMES[Math.floor(i / 80) % 10]!}`;
  const dob = day(-(15 * 365 + (i % 700)));
  const street = `${100 + (i % 900)} ${i % 2 ? 'NORTH MAIN ST' : 'ELM AVE'}`;
  const zip = String(77001 + (i % 90));
  return { aNumber, given, last, dob, street, zip };
}

function seedRows(i: number): Record<Source, Fields[]> {
  const p = person(i);
  const address = { street: p.street, unit: '', city: 'HOUSTON', state: 'TX', zip: p.zip };
  return {
    cbp: [],
    ice: [],
    orr: [
      validRow('orr', `ORR-REL-${i}`, {
        orr_uc_id: `UC${i}`,
        event_type: 'RELEASE',
        event_date: us(day(-300)),
        a_number: `A${p.aNumber}`,
        child_first_name: p.given,
        child_last_name: p.last,
        child_dob: us(p.dob),
        ...address,
      }),
    ],
    opla: [
      validRow('opla', `NTA-${i}`, {
        a_number: p.aNumber,
        respondent_name: `${p.given} ${p.last}`,
        dob: p.dob,
        issued_date: day(-280),
        served_date: day(-275),
        filed_date: day(-270),
        ...address,
      }),
    ],
    eoir: [
      validRow('eoir', `EOIR-OPEN-${i}`, {
        idncase: `C${i}`,
        a_number: p.aNumber,
        last_name: p.last,
        first_name: p.given,
        event_type: 'CASE_OPENED',
        event_date: day(-270),
        hearing_date: '',
        hearing_type: '',
        attendance: '',
        in_absentia: '',
        ...address,
      }),
    ],
  };
}

/** The row that makes child i FAILED_TO_APPEAR: a hearing result with the child absent. */
function absentRow(i: number): Fields {
  const p = person(i);
  return validRow('eoir', `EOIR-FTA-${i}`, {
    idncase: `C${i}`,
    a_number: p.aNumber,
    last_name: p.last,
    first_name: p.given,
    event_type: 'HEARING_RESULT',
    event_date: day(-1),
    hearing_date: `${day(-1)} 09:00`,
    hearing_type: 'MASTER',
    attendance: 'ABSENT',
    in_absentia: i % 2 ? 'Y' : 'N',
  });
}

async function push(db: Db, source: Source, fields: readonly Fields[], origin: string): Promise<void> {
  const batchId = await createBatch(db, source, 'http', origin, new Date());
  const { counts } = await ingestRows(
    { db, clock: systemClock, afterRecordsChanged: projections().afterRecordsChanged },
    {
      source,
      batchId,
      rows: fields.map((f, n) => ({ line: n + 1, rawText: JSON.stringify(f), fields: f })),
    },
  );
  await finishBatch(db, batchId, new Date(), counts);
  if (counts.quarantined) throw new Error(`${counts.quarantined} ${source} row(s) quarantined in ${origin}`);
}

async function withDatabase<T>(fn: (db: Db, engine: string) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL;
  if (!url) return withScratchDb({}, (db) => fn(db, 'pglite'));
  return withScratchDb({ url, name: `bridge_bench_notify_${process.pid}` }, (db) => fn(db, 'postgres'));
}

await withDatabase(async (db, engine) => {
  // Load the children (not timed): each agency's file as one batch, then the projections.
  const seedStart = performance.now();
  const seed = Array.from({ length: rows }, (_, i) => seedRows(i));
  for (const source of ['orr', 'opla', 'eoir'] as const) {
    await push(
      db,
      source,
      seed.flatMap((s) => s[source]),
      `seed-${source}`,
    );
  }
  await runProjections({ db, log: silentLog, clock: systemClock });
  const childOf = new Map(
    (
      await db.query<{ child_id: string; record_id: string }>(
        `SELECT l.child_id, r.record_id FROM record r JOIN record_link l ON l.record_pk = r.id
          WHERE r.source = 'orr' AND r.record_id LIKE 'ORR-REL-%'`,
      )
    ).map((r) => [r.child_id, Number(r.record_id.slice('ORR-REL-'.length))]),
  );
  if (childOf.size !== rows)
    throw new Error(`expected ${rows} children after loading, found ${childOf.size}`);
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const receiver = await startWebhookReceiver();
  const { secret } = await addSubscription(db, {
    agency: 'ORR',
    name: 'ORR case system (bench)',
    webhookUrl: receiver.url,
    eventTypes: ['child.failed_to_appear'],
  });
  receiver.setSecret(secret!);

  // Baseline: the same kind of signed POST, sent directly.
  const direct: number[] = [];
  for (let i = 0; i < rows; i++) {
    const t0 = performance.now();
    const r = await postWebhook(receiver.url, secret!, `direct_${i}`, JSON.stringify({ i }), {
      timeoutMs: 5000,
      now: new Date(),
    });
    if (!r.ok) throw new Error(`baseline POST failed: ${r.error}`);
    direct.push(performance.now() - t0);
  }
  receiver.received.length = 0;

  // The pipeline: the job worker and the delivery worker, as `bridge worker` runs them.
  const pushedAt: number[] = [];
  const committedAt: number[] = [];
  const receivedAt = new Map<number, number>();
  let unverified = 0;
  let done: () => void = () => {};
  const allIn = new Promise<void>((r) => (done = r));
  receiver.onReceive = (w) => {
    if (!w.verified) unverified++;
    const subject = (JSON.parse(w.body) as { subject?: string }).subject;
    const i = subject === undefined ? undefined : childOf.get(subject);
    if (i !== undefined && w.firstTime && !receivedAt.has(i)) {
      receivedAt.set(i, w.at);
      if (receivedAt.size === rows) done();
    }
  };
  const runs: ProjectionSummary[] = [];
  const handlers = jobHandlers();
  handlers[PROJECTIONS_QUEUE] = async (_job, deps) => {
    const s = await runProjections({ ...deps, clock: systemClock });
    if (s.records > 0) runs.push(s);
  };
  const jobs = new Worker({ db, log: silentLog, handlers });
  const delivery = new DeliveryWorker({
    db,
    log: silentLog,
    clock: systemClock,
    config: {
      publicUrl: 'http://127.0.0.1:8080',
      smtpUrl: undefined,
      mailFrom: 'b@test',
      webhookTimeoutMs: 5000,
    },
  });
  // Jobs queued while loading (projections already run) are drained before the clock starts.
  await jobs.drain();
  jobs.start();
  delivery.start();
  const load1 = os.loadavg()[0]!;
  const begin = performance.now();
  for (let i = 0; i < rows; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pushedAt[i] = performance.now();
    await push(db, 'eoir', [absentRow(i)], `push-${i}`);
    committedAt[i] = performance.now();
  }
  const pushSeconds = (performance.now() - begin) / 1000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 120_000)));
  const outcome = await Promise.race([allIn.then(() => 'ok'), timeout]);
  clearTimeout(timer);
  const elapsed = (performance.now() - begin) / 1000;
  await jobs.stop();
  await delivery.stop();
  await receiver.close();

  // Where the time goes, per row: the push itself, then until the projections transaction that
  // records the event starts (job pickup, linking), then until the first send starts (the rules and
  // outbox transaction commits, the delivery worker picks it up), then the send.
  const stages = await db.query<{ child_id: string; recorded: number; started: number }>(
    `SELECT e.child_id, extract(epoch FROM e.recorded_at) * 1000 AS recorded,
            extract(epoch FROM min(a.started_at)) * 1000 AS started
       FROM notify_event e JOIN notify_delivery d ON d.event_pk = e.id
       JOIN notify_attempt a ON a.delivery_id = d.id
      WHERE e.type = 'child.failed_to_appear' GROUP BY e.id`,
  );
  const latency: number[] = [];
  const parts = {
    push: [] as number[],
    toEvent: [] as number[],
    toSend: [] as number[],
    send: [] as number[],
  };
  for (const [i, at] of receivedAt) latency.push(at - pushedAt[i]!);
  for (const s of stages) {
    const i = childOf.get(s.child_id);
    const at = i === undefined ? undefined : receivedAt.get(i);
    if (i === undefined || at === undefined) continue;
    parts.push.push(committedAt[i]! - pushedAt[i]!);
    parts.toEvent.push(Number(s.recorded) - epochOf(committedAt[i]!));
    parts.toSend.push(Number(s.started) - Number(s.recorded));
    parts.send.push(epochOf(at) - Number(s.started));
  }
  const rounds = runs.reduce((a, r) => a + r.rounds, 0);
  const sum = (k: keyof ProjectionSummary['ms']) => runs.reduce((a, r) => a + r.ms[k], 0);
  const totalRecords = runs.reduce((a, r) => a + r.records, 0);

  const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : '-');
  const p50 = pct(latency, 50);
  const p99 = pct(latency, 99);
  const load = os.loadavg();
  process.stdout.write(
    `notify: ${rows} EOIR hearing-result rows (child absent), each its own push, at ${rate}/s asked ` +
      `(${(rows / pushSeconds).toFixed(1)}/s achieved: one system pushing, one row after another) on ${engine}; ` +
      `${latency.length} child.failed_to_appear webhooks received and verified (${unverified} unverified) ` +
      `in ${elapsed.toFixed(1)} s${outcome === 'timeout' ? ' (TIMED OUT)' : ''}\n` +
      `(loading ${rows} children, ${rows * 3} rows, not timed: ${seedSeconds.toFixed(1)} s; ` +
      `load average ${load1.toFixed(1)} at start, ${load.map((l) => l.toFixed(1)).join(' ')} at end)\n\n` +
      `| figure (ms) | push → webhook received | direct signed POST (baseline) | ratio |\n` +
      `|---|---|---|---|\n` +
      `| p50 | ${fmt(p50)} | ${pct(direct, 50).toFixed(1)} | ${(p50 / pct(direct, 50)).toFixed(0)} |\n` +
      `| p99 | ${fmt(p99)} | ${pct(direct, 99).toFixed(1)} | ${(p99 / pct(direct, 99)).toFixed(0)} |\n` +
      `| max | ${fmt(Math.max(...latency))} | ${Math.max(...direct).toFixed(1)} | |\n\n` +
      `where the time goes (ms, p50 / p99):\n` +
      `| push (ingest, one-row batch) | until the projections transaction starts (job pickup, linking) | ` +
      `until the send starts (rules, outbox commit, delivery pickup) | send |\n|---|---|---|---|\n` +
      `| ${fmt(pct(parts.push, 50))} / ${fmt(pct(parts.push, 99))} | ${fmt(pct(parts.toEvent, 50))} / ${fmt(pct(parts.toEvent, 99))} | ` +
      `${fmt(pct(parts.toSend, 50))} / ${fmt(pct(parts.toSend, 99))} | ${fmt(pct(parts.send, 50))} / ${fmt(pct(parts.send, 99))} |\n\n` +
      `projections: ${rounds} rounds for ${totalRecords} records (${(totalRecords / Math.max(1, rounds)).toFixed(1)} per round); ` +
      `per round: linking ${(sum('link') / Math.max(1, rounds)).toFixed(0)} ms, rules + notifications ` +
      `${(sum('evaluate') / Math.max(1, rounds)).toFixed(0)} ms, tasks ${(sum('tasks') / Math.max(1, rounds)).toFixed(0)} ms ` +
      `(totals ${(sum('link') / 1000).toFixed(1)} s, ${(sum('evaluate') / 1000).toFixed(1)} s, ${(sum('tasks') / 1000).toFixed(1)} s)\n\n` +
      `target p99 ≤ 2000 ms: ${p99 <= 2000 && latency.length === rows ? 'met' : 'NOT met'}\n`,
  );
  if (latency.length !== rows || unverified > 0) process.exitCode = 1;
});
