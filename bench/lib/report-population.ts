// The report benchmark's population (scale 1 = 450,000 children, ~2.9 million records, FY2019–FY2023,
// with blank, invalid, unit-less and repeated addresses) and its report projection: generated once
// per scale in a database of its own and reused by the report and web benchmarks.
import { createDatabaseIfMissing } from './bench-database.ts';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres, redactUrl } from '../../src/db/postgres.ts';
import { zipPrefixPairs } from '../../src/addresses/zip-prefixes.ts';
import { refreshReportFacts } from '../../src/reports/index.ts';

export const REPORT_BENCH_URL = 'postgres://postgres@127.0.0.1:5432/bridge_bench_report';

/** PostgreSQL at `url` (created when missing), or a PGlite folder kept under the temp folder. */
export async function openReportBenchDb(engine: string, scale: number, url = REPORT_BENCH_URL): Promise<Db> {
  const children = Math.round(450_000 * scale);
  if (engine === 'pglite') {
    const dir = path.join(os.tmpdir(), `bridge-bench-report-${children}`);
    return openPglite({ dataDir: dir });
  }
  await createDatabaseIfMissing(url);
  process.stderr.write(`database: ${redactUrl(url)}\n`);
  return openPostgres(url);
}

/** Fills an empty database with `children` synthetic children (deterministic), unless already done. */
export async function ensureReportPopulation(db: Db, scale: number): Promise<void> {
  const children = Math.round(450_000 * scale);
  const origin = `bench-report-${children}`;
  const [done] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM feed_batch WHERE origin = $1',
    [origin],
  );
  if (done!.n > 0) return;
  const [any] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record');
  if (any!.n > 0)
    throw new Error('the bench database holds other records; use a new database for this population');
  const started = Date.now();
  process.stderr.write(`generating ${children} children...\n`);
  await db.query('SELECT setseed(0.42)');
  await db.exec(`DROP TABLE IF EXISTS bench_child; DROP TABLE IF EXISTS bench_row;`);
  await db.query(
    `CREATE TABLE bench_child AS
     SELECT i, 'C' || lpad(i::text, 7, '0') AS child_id,
       date '2018-10-01' + floor(random() * 1826)::int AS t0,
       random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
       ($2::text[])[1 + floor(random() * array_length($2::text[], 1))::int] AS pair,
       floor(random() * ($1::int / 3 + 1))::int AS street_no,
       (ARRAY['GTM','GTM','GTM','HND','HND','SLV','MEX','ECU','NIC'])[1 + floor(random() * 9)::int] AS country
     FROM generate_series(1, $1::int) AS i`,
    [children, zipPrefixPairs().filter((p) => !/^(AA|AE|AP|AS|FM|MH|PW|MP|GU|VI)/.test(p))],
  );
  // One row per source event; addresses drawn so that some repeat, some are blank, invalid or
  // missing a unit, as in the OIG findings.
  await db.query(
    `CREATE TABLE bench_row AS
     SELECT row_number() OVER () AS n, c.child_id, c.country, x.*,
       CASE WHEN x.with_address THEN
         CASE WHEN c.r5 < 0.02 THEN NULL ELSE (c.street_no % 60000) || ' ' || (ARRAY['MAIN ST','OAK AVE','PINE RD','ELM ST','LAKE DR'])[1 + c.street_no % 5] END
       END AS addr_line,
       CASE WHEN x.with_address AND c.r4 < 0.3 THEN 'APT ' || (c.i % 40) END AS addr_unit,
       CASE WHEN x.with_address THEN CASE WHEN c.r5 > 0.99 THEN 'ZZ' ELSE split_part(c.pair, ':', 1) END END AS addr_state,
       CASE WHEN x.with_address THEN split_part(c.pair, ':', 2) || lpad((c.street_no % 100)::text, 2, '0') END AS addr_zip5
     FROM bench_child c
     CROSS JOIN LATERAL (VALUES
       ('cbp', 'ENCOUNTER', c.t0 - 2, true, NULL::date, NULL::date, NULL::timestamp, NULL, NULL::boolean, false),
       ('ice', 'TRANSFER', c.t0, true, NULL, NULL, NULL, NULL, NULL, false),
       ('orr', 'ADMISSION', c.t0, true, NULL, NULL, NULL, NULL, NULL, false),
       ('orr', 'RELEASE', c.t0 + 30, c.r1 < 0.9, NULL, NULL, NULL, NULL, NULL, true),
       ('orr', 'SAFETY_CALL', c.t0 + 60, c.r1 < 0.9, NULL, NULL, NULL, NULL, NULL, false),
       ('orr', 'RUNAWAY', c.t0 + 10, c.r1 > 0.97, NULL, NULL, NULL, NULL, NULL, false),
       ('orr', 'ADDRESS_UPDATE', c.t0 + 120, c.r1 < 0.15, NULL, NULL, NULL, NULL, NULL, true),
       ('opla', 'NTA', c.t0 + 45, c.r2 < 0.5,
          CASE WHEN c.r2 < 0.4 THEN c.t0 + 60 END, CASE WHEN c.r2 < 0.3 THEN c.t0 + 90 END, NULL, NULL, NULL, true),
       ('eoir', 'CASE_OPENED', c.t0 + 100, c.r2 < 0.3, NULL, NULL, NULL, NULL, NULL, true),
       ('eoir', 'HEARING_SCHEDULED', c.t0 + 110, c.r2 < 0.3, NULL, NULL, (c.t0 + 200)::timestamp, NULL, NULL, false),
       ('eoir', 'NOTICE_RETURNED', c.t0 + 150, c.r2 < 0.3 AND c.r3 < 0.05, NULL, NULL, NULL, NULL, NULL, false),
       ('eoir', 'HEARING_RESULT', c.t0 + 200, c.r2 < 0.3, NULL, NULL, (c.t0 + 200)::timestamp,
          CASE WHEN c.r3 < 0.2 THEN 'ABSENT' ELSE 'PRESENT' END, c.r3 < 0.15, false)
     ) AS x(source, event_type, own_date, present, served_date, filed_date, hearing_at, attendance, in_absentia, with_address)
     WHERE x.present`,
  );
  const [rows] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_row');
  process.stderr.write(`${rows!.n} records; loading...\n`);
  const [batch] = await db.query<{ id: number }>(
    `INSERT INTO feed_batch (source, kind, origin) VALUES ('orr', 'file', $1) RETURNING id`,
    [origin],
  );
  await db.query(
    `INSERT INTO source_row (id, source, record_id, version, content_hash, fields, raw_text, batch_id, line)
     SELECT n, source, 'b' || n, 1, md5(n::text), '{}', '', $1, n FROM bench_row`,
    [batch!.id],
  );
  await db.query(
    `INSERT INTO record (id, source, record_id, row_id, in_scope, own_date, event_type, a_number, name_as_sent,
       given_names, surname1, surname2, dob, sex, country, served_date, filed_date, hearing_at, attendance,
       in_absentia, idncase, address_as_sent, addr_line, addr_unit, addr_city, addr_state, addr_zip5, received_at)
     SELECT n, source, 'b' || n, n, true, own_date, event_type, lpad((n % 999999999)::text, 9, '0'),
       'GARCIA LOPEZ, MARIA JOSE', 'MARIA JOSE', 'GARCIA', 'LOPEZ', date '2006-01-01' + (n % 3000)::int, 'F',
       country, served_date, filed_date, hearing_at, attendance, in_absentia,
       CASE WHEN source = 'eoir' THEN 'X' || child_id END,
       CASE WHEN with_address THEN jsonb_build_object('street', coalesce(addr_line, ''), 'unit', coalesce(addr_unit, ''),
         'city', 'SOMEWHERE', 'state', coalesce(addr_state, ''), 'zip', coalesce(addr_zip5, '')) END,
       addr_line, addr_unit, CASE WHEN with_address THEN 'SOMEWHERE' END, addr_state, addr_zip5, now()
     FROM bench_row`,
  );
  await db.query(`INSERT INTO child (id) SELECT child_id FROM bench_child`);
  await db.query(
    `INSERT INTO record_link (record_pk, child_id, method) SELECT n, child_id, 'singleton' FROM bench_row`,
  );
  await db.exec(`SELECT setval('source_row_id_seq', (SELECT max(id) FROM source_row));
    SELECT setval('record_id_seq', (SELECT max(id) FROM record));
    DROP TABLE bench_row; DROP TABLE bench_child; ANALYZE;`);
  process.stderr.write(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

/**
 * The report projection, built from every record when missing (a population generated before the
 * projection existed), which is also what `bridge link --full` and `bridge rebuild` pay; the
 * projections pipeline keeps it current after each ingest. Returns the seconds it took, or null.
 */
export async function ensureReportFacts(db: Db): Promise<number | null> {
  const [facts] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM report_child');
  if (facts!.n > 0) return null;
  const t0 = performance.now();
  await db.transaction((tx) => refreshReportFacts(tx, 'all'));
  const seconds = (performance.now() - t0) / 1000;
  await db.exec(
    'ANALYZE report_child; ANALYZE report_address; ANALYZE report_notice; ANALYZE report_unit_street;',
  );
  return seconds;
}

/**
 * Alerts, tasks and notifications for the follow-up timeliness figures, unless already there: a
 * FAILED_TO_APPEAR alert for each child who missed a hearing (tasks for ORR, ERO and OPLA; a message
 * to ORR, nine in ten delivered) and a NO_NTA alert for each released child never served (tasks for
 * ERO and OPLA), with every alert announced to an oversight subscription. Six in ten tasks closed.
 */
export async function ensureFollowUpLog(db: Db): Promise<void> {
  const [done] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert');
  if (done!.n > 0) return;
  const started = Date.now();
  await db.exec(`
    INSERT INTO office (id, kind, name, supervisor_queue)
    VALUES ('OPLA:HOU', 'OPLA', 'OPLA office for immigration court HOU', 'OPLA:HOU:supervisor')
    ON CONFLICT (id) DO NOTHING;
    CREATE TEMP TABLE bench_alert AS
      SELECT child_id, 'FAILED_TO_APPEAR' AS rule_id, first_fta_hearing AS opened_on,
             ARRAY['ORR', 'ERO', 'OPLA'] AS kinds, 'critical' AS severity
        FROM report_child WHERE first_fta_hearing IS NOT NULL
      UNION ALL
      SELECT child_id, 'NO_NTA', first_release + 30, ARRAY['ERO', 'OPLA'], 'high'
        FROM report_child WHERE first_release IS NOT NULL AND first_served IS NULL;
    INSERT INTO alert (child_id, rule_id, opened_on, opened_at, severity, office_kinds, record_pks, details, evaluated_on)
      SELECT child_id, rule_id, opened_on, opened_on + (random() * interval '5 days'), severity, kinds, '{}', '{}', opened_on
        FROM bench_alert;
    INSERT INTO task (alert_id, child_id, rule_id, office_id, office_kind, action, severity, severity_rank,
                      due_on, status, opened_at, closed_at, closed_by, outcome, updated_at)
      SELECT a.id, a.child_id, a.rule_id,
             CASE k.kind WHEN 'ORR' THEN 'ORR' WHEN 'OPLA' THEN 'OPLA:HOU' ELSE 'ERO:Houston' END,
             k.kind, 'act on the alert', a.severity, CASE a.severity WHEN 'critical' THEN 0 ELSE 1 END,
             a.opened_on + 30, CASE WHEN c.closed THEN 'closed' ELSE 'open' END, a.opened_at,
             CASE WHEN c.closed THEN c.closed_at END, CASE WHEN c.closed THEN 'bench' END,
             CASE WHEN c.closed THEN 'case_updated' END, a.opened_at
        FROM alert a CROSS JOIN LATERAL unnest(a.office_kinds) AS k(kind)
        CROSS JOIN LATERAL (SELECT random() < 0.6 AS closed,
                                   a.opened_at + (random() * random() * interval '90 days') AS closed_at) c;
    INSERT INTO notify_subscription (agency, name, channel, target, secret, event_types)
      VALUES ('ORR', 'ORR case system', 'webhook', 'http://127.0.0.1:9/orr', 'whsec_bench', ARRAY['child.failed_to_appear']),
             ('OVERSIGHT', 'Oversight', 'webhook', 'http://127.0.0.1:9/oig', 'whsec_bench', ARRAY['alert.opened']);
    INSERT INTO notify_event (event_id, type, severity, child_id, occurred_at, data)
      SELECT 'alert-' || id || '-opened', 'alert.opened', 'warning', child_id, opened_at, '{}' FROM alert
      UNION ALL
      SELECT 'alert-' || id || '-fta', 'child.failed_to_appear', 'critical', child_id, opened_at,
             jsonb_build_object('hearing_at', opened_on)
        FROM alert WHERE rule_id = 'FAILED_TO_APPEAR';
    INSERT INTO notify_delivery (event_pk, subscription_id, idempotency_key, status, attempts, max_attempts,
                                 next_attempt_at, created_at, delivered_at)
      SELECT e.id, s.id, 'msg_' || e.event_id || '_' || s.id,
             CASE WHEN d.ok THEN 'delivered' ELSE 'dead' END, 1, 8, e.occurred_at, e.occurred_at,
             CASE WHEN d.ok THEN e.occurred_at + (random() * interval '3 days') END
        FROM notify_event e
        JOIN notify_subscription s ON e.type = ANY (s.event_types)
        CROSS JOIN LATERAL (SELECT random() + 0 * e.id < 0.9 AS ok) d;
    ANALYZE alert; ANALYZE task; ANALYZE notify_event; ANALYZE notify_delivery;`);
  const [n] = await db.query<{ alerts: number; tasks: number; deliveries: number }>(
    `SELECT (SELECT count(*) FROM alert)::int AS alerts, (SELECT count(*) FROM task)::int AS tasks,
            (SELECT count(*) FROM notify_delivery)::int AS deliveries`,
  );
  process.stderr.write(
    `follow-up log: ${n!.alerts} alerts, ${n!.tasks} tasks, ${n!.deliveries} deliveries, ` +
      `generated in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}
