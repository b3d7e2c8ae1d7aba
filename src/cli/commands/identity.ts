// `bridge link`, `bridge export links`, `bridge evaluate links` and `bridge review ...`: linking
// records into children, and people's decisions about them.
import os from 'node:os';
import type { Command } from 'commander';
import type { Db, Queryable } from '../../db/index.ts';
import { BridgeError } from '../../shared/errors.ts';
import {
  decidePair,
  decideReviewPair,
  evaluateLinks,
  explainPair,
  exportLinks,
  linkAll,
  linkRecords,
  listReviewPairs,
  mergeChildren,
  readTruth,
  recordPkBySourceId,
  splitChild,
  type PairExplanation,
} from '../../identity/index.ts';
import { afterFullLink, projections, runProjections } from '../../projections.ts';
import { withDb, type CommandContext } from '../context.ts';
import { parseFormat, printRows, say, table } from '../output.ts';
import {
  auditAct,
  auditedDb,
  childIdsOfRecords,
  childIdsOfReviewPair,
  cliActor,
} from '../../access/disclosure.ts';

/** A record named as `source:record_id` (e.g. `cbp:E123`) or by its number in the project. */
async function recordRef(db: Db, ref: string): Promise<number> {
  const m = /^(cbp|ice|orr|opla|eoir):(.+)$/i.exec(ref);
  if (!m) {
    if (/^\d+$/.test(ref)) return Number(ref);
    throw new BridgeError(
      'USAGE',
      `"${ref}" is not a record: write SOURCE:RECORD_ID (for example cbp:E1234)`,
    );
  }
  const pk = await recordPkBySourceId(db, m[1]!.toLowerCase(), m[2]!);
  if (pk === null) throw new BridgeError('NOT_FOUND', `no record ${ref}`);
  return pk;
}

const actorOf = (as: string | undefined) => as ?? os.userInfo().username;

function printExplanation(e: PairExplanation) {
  const [a, b] = e.records;
  say(
    `${a.source}:${a.recordId} (child ${a.childId ?? '-'})  vs  ${b.source}:${b.recordId} (child ${b.childId ?? '-'})`,
  );
  process.stdout.write(
    table(
      [
        ...e.fields.map((f) => ({
          field: f.field,
          a: f.a ?? '',
          b: f.b ?? '',
          level: f.level,
          weight: f.weight.toFixed(2),
        })),
        {
          field: 'name frequency',
          a: '',
          b: '',
          level: 'given / surnames',
          weight: `${e.termFrequency.given_names.toFixed(2)} / ${e.termFrequency.surnames.toFixed(2)}`,
        },
        { field: 'prior', a: '', b: '', level: '', weight: e.prior.toFixed(2) },
        { field: 'total', a: '', b: '', level: `p=${e.probability.toFixed(4)}`, weight: e.weight.toFixed(2) },
      ],
      ['field', 'a', 'b', 'level', 'weight'],
    ),
  );
  process.stdout.write(`${e.sameChild ? 'same child' : 'different children'}: ${e.because}\n`);
}

/**
 * A person's change of links from the command line (a decision, a merge, a split): `act` runs on a
 * database whose first transaction (the change) is audited under the command-line user, with the
 * children `childIds` names; then the records of those children go through the projections, so
 * that alerts, tasks and the report follow the new links before the command returns.
 */
async function changeLinks<T>(
  db: Db,
  c: CommandContext,
  action: string,
  target: string,
  childIds: (q: Queryable) => Promise<string[]>,
  act: (deps: { db: Db; log: CommandContext['log']; clock: CommandContext['clock'] }) => Promise<T>,
): Promise<T> {
  const affected = await db.query<{ record_pk: number }>(
    'SELECT record_pk FROM record_link WHERE child_id = ANY($1::text[])',
    [await childIds(db)],
  );
  const audited = auditedDb(db, async (tx) =>
    auditAct(tx, c.clock.now(), cliActor(), null, { action, target, childIds: await childIds(tx) }),
  );
  const result = await act({ db: audited, log: c.log, clock: c.clock });
  await db.transaction((tx) =>
    projections().afterRecordsChanged!(
      tx,
      affected.map((r) => Number(r.record_pk)),
    ),
  );
  await runProjections({ db, log: c.log, clock: c.clock });
  return result;
}

export function registerIdentityCommands(program: Command, ctx: () => CommandContext): void {
  program
    .command('link')
    .description('link in-scope records into children (incremental by default: records not linked yet)')
    .option('--full', 're-link every record (same children as the incremental path)')
    .option('--retrain', 'estimate the model again from the data before a full re-link')
    .option('--json', 'print the summary as JSON to standard output')
    .action(async (opts: { full?: boolean; retrain?: boolean; json?: boolean }) => {
      const c = ctx();
      await withDb(c, async (db) => {
        const deps = { db, log: c.log, clock: c.clock };
        let summary;
        if (opts.full || opts.retrain) {
          summary = await linkAll(deps, { retrain: opts.retrain });
          // Alerts, tasks and the report's facts follow the new links.
          await afterFullLink(deps);
        } else {
          const rows = await db.query<{ id: number }>(
            `SELECT r.id FROM record r WHERE r.in_scope AND NOT EXISTS (SELECT 1 FROM record_link l WHERE l.record_pk = r.id)`,
          );
          summary = await linkRecords(
            deps,
            rows.map((r) => Number(r.id)),
          );
        }
        say(
          `${summary.mode} link: ${summary.records} records, ${summary.children} children in scope ` +
            `(${summary.newChildren} new), ${summary.changedLinks} links changed, ${summary.reviewPairs} pairs for review, ` +
            `${summary.seconds.toFixed(1)}s`,
        );
        if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      });
    });

  const exp = program.command('export').description('export data for other systems');
  exp
    .command('links')
    .description('every in-scope record and the child it is linked to: source,record_id,child_id')
    .option('--format <format>', 'csv (the only format)', 'csv')
    .option('--purpose <purpose>', 'why the export is made (recorded in the audit log)', 'administration')
    .action(async (opts: { format: string; purpose: string }) => {
      if (opts.format !== 'csv') throw new BridgeError('USAGE', `--format must be csv, got "${opts.format}"`);
      const c = ctx();
      const actor = cliActor(opts.purpose);
      await withDb(c, async (db) => {
        const children = new Set<string>();
        const n = await exportLinks(
          db,
          (s) => process.stdout.write(s),
          undefined,
          (ids) => ids.forEach((id) => children.add(id)),
        );
        // An export names every child it returned.
        await db.transaction((tx) =>
          auditAct(tx, c.clock.now(), actor, null, {
            action: 'child.export',
            childIds: [...children],
            target: 'export:links',
            details: { links: n },
          }),
        );
        say(`exported ${n} links`);
      });
    });

  const ev = program.command('evaluate').description('measure the project against a known truth');
  ev.command('links')
    .description('pairwise precision, recall and F1 of the links against a truth file, with the worst errors')
    .requiredOption('--truth <file>', 'CSV with source, record_id and the true child id')
    .option('--worst <n>', 'how many false and missed links to list', '10')
    .option('--json', 'print JSON to standard output')
    .action(async (opts: { truth: string; worst: string; json?: boolean }) => {
      const c = ctx();
      const truth = readTruth(opts.truth);
      await withDb(c, async (db) => {
        const e = await evaluateLinks(db, truth, Number(opts.worst));
        if (opts.json) {
          process.stdout.write(JSON.stringify(e, null, 2) + '\n');
          return;
        }
        process.stdout.write(
          `records ${e.records}  true pairs ${e.truePairs}  predicted pairs ${e.predictedPairs}  correct ${e.correctPairs}\n` +
            `precision ${e.precision.toFixed(5)}  recall ${e.recall.toFixed(5)}  F1 ${e.f1.toFixed(5)}\n` +
            `truth rows without a linked record ${e.unmatchedTruthRows}; linked records not in the truth ${e.unlinkedRows}\n`,
        );
        const fmt = (x: { weight: number | null }) => ({
          ...x,
          weight: x.weight === null ? '' : x.weight.toFixed(2),
        });
        process.stdout.write('\nworst false links (one child, two true children):\n');
        process.stdout.write(table(e.falseLinks.map(fmt), ['a', 'b', 'weight', 'childA']));
        process.stdout.write('\nmissed links (one true child, two children):\n');
        process.stdout.write(table(e.missedLinks.map(fmt), ['a', 'b', 'weight', 'childA', 'childB']));
      });
    });

  const review = program
    .command('review')
    .description('pairs of records for a person to decide, merges and splits');
  review
    .command('list')
    .description('open review pairs, strongest first, with both records and each field’s contribution')
    .option('--limit <n>', 'how many', '20')
    .option('--status <status>', 'open, decided or withdrawn', 'open')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .action(async (opts: { limit: string; status: 'open'; json?: boolean; format?: string }) => {
      const c = ctx();
      const format = parseFormat(opts.format, opts.json);
      await withDb(c, async (db) => {
        const items = await listReviewPairs({ db }, { limit: Number(opts.limit), status: opts.status });
        if (format === 'json') {
          process.stdout.write(JSON.stringify(items, null, 2) + '\n');
          return;
        }
        printRows(
          items.map((i) => {
            const [a, b] = i.explanation.records;
            return {
              pair: i.id,
              weight: i.weight.toFixed(2),
              a: `${a.source}:${a.recordId} ${a.given ?? ''} ${a.surname1 ?? ''} ${a.surname2 ?? ''} ${a.dob ?? ''} ${a.aNumber ?? ''}`,
              b: `${b.source}:${b.recordId} ${b.given ?? ''} ${b.surname1 ?? ''} ${b.surname2 ?? ''} ${b.dob ?? ''} ${b.aNumber ?? ''}`,
              fields: i.explanation.fields.map((f) => `${f.field} ${f.weight.toFixed(1)}`).join(', '),
            };
          }),
          ['pair', 'weight', 'a', 'b', 'fields'],
          format,
        );
        say(
          `${items.length} ${opts.status} pair(s); decide with "bridge review decide PAIR --link|--apart --reason ..."`,
        );
      });
    });

  review
    .command('decide <pair>')
    .description(
      'link the two records of a review pair, or keep them apart; the decision wins in every later run',
    )
    .option('--link', 'they are the same child')
    .option('--apart', 'they are different children')
    .requiredOption('--reason <text>', 'why (kept with the decision)')
    .option('--as <user>', 'who decides (default: the operating-system user)')
    .action(async (pair: string, opts: { link?: boolean; apart?: boolean; reason: string; as?: string }) => {
      if (!!opts.link === !!opts.apart)
        throw new BridgeError('USAGE', 'give exactly one of --link or --apart');
      if (!/^\d+$/.test(pair))
        throw new BridgeError('USAGE', `PAIR must be a review pair number, got "${pair}"`);
      const c = ctx();
      await withDb(c, async (db) => {
        const res = await changeLinks(
          db,
          c,
          'identity.decide',
          `review_pair:${pair}`,
          (q) => childIdsOfReviewPair(q, Number(pair)),
          (deps) =>
            decideReviewPair(deps, Number(pair), {
              decision: opts.link ? 'link' : 'apart',
              actor: actorOf(opts.as),
              reason: opts.reason,
            }),
        );
        say(`decision ${res.decisionId} recorded; ${res.relinked.changedLinks} link(s) changed`);
      });
    });

  review
    .command('explain <a> <b>')
    .description('why two records are (or are not) the same child; records as SOURCE:RECORD_ID')
    .option('--json', 'print JSON to standard output')
    .action(async (a: string, b: string, opts: { json?: boolean }) => {
      const c = ctx();
      await withDb(c, async (db) => {
        const e = await explainPair(db, await recordRef(db, a), await recordRef(db, b));
        if (opts.json) process.stdout.write(JSON.stringify(e, null, 2) + '\n');
        else printExplanation(e);
      });
    });

  review
    .command('pair <a> <b>')
    .description('decide about any two records (not only queued pairs); records as SOURCE:RECORD_ID')
    .option('--link', 'they are the same child')
    .option('--apart', 'they are different children')
    .requiredOption('--reason <text>', 'why')
    .option('--as <user>', 'who decides (default: the operating-system user)')
    .action(
      async (
        a: string,
        b: string,
        opts: { link?: boolean; apart?: boolean; reason: string; as?: string },
      ) => {
        if (!!opts.link === !!opts.apart)
          throw new BridgeError('USAGE', 'give exactly one of --link or --apart');
        const c = ctx();
        await withDb(c, async (db) => {
          const pks = [await recordRef(db, a), await recordRef(db, b)] as const;
          const res = await changeLinks(
            db,
            c,
            'identity.decide',
            `records:${a},${b}`,
            (q) => childIdsOfRecords(q, pks),
            (deps) =>
              decidePair(deps, pks[0], pks[1], {
                decision: opts.link ? 'link' : 'apart',
                actor: actorOf(opts.as),
                reason: opts.reason,
              }),
          );
          say(`decision ${res.decisionId} recorded; ${res.relinked.changedLinks} link(s) changed`);
        });
      },
    );

  review
    .command('merge <childA> <childB>')
    .description('merge two children into one (audited)')
    .requiredOption('--reason <text>', 'why')
    .option('--as <user>', 'who (default: the operating-system user)')
    .action(async (a: string, b: string, opts: { reason: string; as?: string }) => {
      const c = ctx();
      await withDb(c, async (db) => {
        const res = await changeLinks(
          db,
          c,
          'identity.merge',
          `children:${a},${b}`,
          async () => [a, b],
          (deps) => mergeChildren(deps, a, b, { actor: actorOf(opts.as), reason: opts.reason }),
        );
        say(`merged; ${res.changedLinks} link(s) changed`);
      });
    });

  review
    .command('split <child>')
    .description('move some records of a child into a child of their own (audited)')
    .requiredOption('--records <refs>', 'comma-separated SOURCE:RECORD_ID of the records to move')
    .requiredOption('--reason <text>', 'why')
    .option('--as <user>', 'who (default: the operating-system user)')
    .action(async (child: string, opts: { records: string; reason: string; as?: string }) => {
      const c = ctx();
      await withDb(c, async (db) => {
        const pks: number[] = [];
        for (const ref of opts.records
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean))
          pks.push(await recordRef(db, ref));
        const res = await changeLinks(
          db,
          c,
          'identity.split',
          `child:${child}`,
          async () => [child],
          (deps) => splitChild(deps, child, pks, { actor: actorOf(opts.as), reason: opts.reason }),
        );
        say(`split; ${res.changedLinks} link(s) changed`);
      });
    });
}
