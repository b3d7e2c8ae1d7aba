// `npm run bench -- notify [--scale S] [--rate R]`: latency from the transaction that records a
// child.failed_to_appear event to the signed webhook arriving at a real receiver on loopback,
// over 1,000 × S rows arriving at R rows per second. Target: p99 at most 2 seconds.
// Baseline, measured in the same run: the same signed POST sent directly, without the outbox.
// Database: the PostgreSQL server in DATABASE_URL, else embedded PGlite in memory.
import { performance } from 'node:perf_hooks';
import { openPglite } from '../src/db/pglite.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { migrate, type Db, type Queryable } from '../src/db/index.ts';
import { silentLog } from '../src/shared/log.ts';
import { systemClock } from '../src/shared/clock.ts';
import { addSubscription, DeliveryWorker, recordEvent } from '../src/notify/index.ts';
import { postWebhook } from '../src/notify/send.ts';
import { startWebhookReceiver } from '../src/notify/test-receivers.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const rows = Math.round(1000 * arg('scale', 1));
const rate = arg('rate', 100);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The change that makes a child FAILED_TO_APPEAR. FULL PATH GOES HERE: once ingest → link → rules
 * land, replace this body with the ingest of one EOIR HEARING_RESULT row (attendance absent) in
 * this transaction, and let the rules module call recordEvent itself; the timing around it stays.
 */
async function ingestFailedToAppear(tx: Queryable, i: number): Promise<string> {
  const { eventId } = await recordEvent(tx, {
    type: 'child.failed_to_appear',
    childId: `C-BENCH-${i}`,
    office: 'HOU',
    state: 'TX',
    occurredAt: new Date(),
    data: { hearing_at: '2024-03-05T09:00:00', court_code: 'HOU', in_absentia: false },
  });
  return eventId;
}

const db: Db = process.env.DATABASE_URL ? await openPostgres(process.env.DATABASE_URL) : await openPglite({});
await migrate(db);
const receiver = await startWebhookReceiver();
const { subscription, secret } = await addSubscription(db, {
  agency: 'EOIR',
  name: `bench ${Date.now()}`,
  webhookUrl: receiver.url,
  eventTypes: ['child.failed_to_appear'],
});
receiver.setSecret(secret!);

// Baseline: the same signed POST, sent directly.
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

// The outbox path, with one delivery worker polling as `bridge worker` does.
const started = new Map<string, number>();
const latency: number[] = [];
let unverified = 0;
let done: () => void = () => {};
const allIn = new Promise<void>((r) => (done = r));
receiver.onReceive = (w) => {
  if (!w.verified) unverified++;
  const t0 = started.get(w.id);
  if (t0 !== undefined && w.firstTime) {
    latency.push(w.at - t0);
    if (latency.length === rows) done();
  }
};
const worker = new DeliveryWorker({
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
worker.start();
const begin = performance.now();
for (let i = 0; i < rows; i++) {
  const due = begin + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const t0 = performance.now();
  const eventId = await db.transaction((tx) => ingestFailedToAppear(tx, i));
  started.set(`msg_${eventId}_${subscription.id}`, t0);
}
const timeout = sleep(60_000).then(() => 'timeout');
const outcome = await Promise.race([allIn.then(() => 'ok'), timeout]);
const elapsed = (performance.now() - begin) / 1000;
await worker.stop();
await receiver.close();
await db.close();

const fmt = (ms: number) => ms.toFixed(1);
const p50 = pct(latency, 50);
const p99 = pct(latency, 99);
process.stdout.write(
  `notify: ${rows} rows at ${rate}/s on ${db.engine}; ${latency.length} webhooks received and verified ` +
    `(${unverified} unverified) in ${elapsed.toFixed(1)} s${outcome === 'timeout' ? ' (TIMED OUT)' : ''}\n\n` +
    `| figure (ms) | record → webhook received | direct signed POST (baseline) | ratio |\n` +
    `|---|---|---|---|\n` +
    `| p50 | ${fmt(p50)} | ${fmt(pct(direct, 50))} | ${(p50 / pct(direct, 50)).toFixed(1)} |\n` +
    `| p99 | ${fmt(p99)} | ${fmt(pct(direct, 99))} | ${(p99 / pct(direct, 99)).toFixed(1)} |\n` +
    `| max | ${fmt(Math.max(...latency))} | ${fmt(Math.max(...direct))} | |\n\n` +
    `target p99 ≤ 2000 ms: ${p99 <= 2000 && latency.length === rows ? 'met' : 'NOT met'}\n` +
    `(event recorded in a transaction → webhook received; the ingest → link → rules part is marked ` +
    `FULL PATH GOES HERE in bench/notify.ts)\n`,
);
if (latency.length !== rows || unverified > 0) process.exitCode = 1;
