// `bridge child show`, `bridge alerts list`, `bridge rules list|set|run`: a child's case and
// timeline, the alerts, and the gap rules.
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { withDb } from '../context.ts';
import { parseFormat, printRows, say, table } from '../output.ts';
import { showChildCase } from '../../cases/index.ts';
import { auditAct, cliActor } from '../../access/disclosure.ts';
import {
  listAlerts,
  listRules,
  setRuleSetting,
  sweepRules,
  resolveAsOf,
  isRuleId,
} from '../../rules/index.ts';
import { BridgeError } from '../../shared/errors.ts';
import { createProgress } from '../../shared/progress.ts';

const ALERT_COLUMNS = [
  'id',
  'child_id',
  'rule_id',
  'severity',
  'office_kinds',
  'addr_state',
  'opened_on',
  'due_on',
  'closed_on',
  'close_reason',
  'record_pks',
  'details',
];

export function registerCasesCommands(program: Command, ctx: () => CommandContext): void {
  const child = program.command('child').description("a child's case: state, addresses, court, timeline");
  child
    .command('show')
    .description("show a child's case as of a date, with every fact and the source row it came from")
    .argument('<child-id>', 'the child id')
    .option('--as-of <date>', 'as of this date (YYYY-MM-DD; default today)')
    .option('--json', 'print JSON to standard output')
    .option(
      '--purpose <purpose>',
      "why the child's record is opened (recorded in the audit log)",
      'administration',
    )
    .action(async (childId: string, opts: { asOf?: string; json?: boolean; purpose: string }) => {
      const c = ctx();
      const asOf = resolveAsOf(c.clock, opts.asOf);
      const actor = cliActor(opts.purpose);
      await withDb(c, async (db) => {
        const shown = await showChildCase({ db, clock: c.clock }, childId, asOf);
        const alerts = (await listAlerts(db, { childId: shown.child_id, status: 'all', limit: 1000 })).alerts;
        await db.transaction((tx) =>
          auditAct(tx, c.clock.now(), actor, null, {
            action: 'child.read',
            childIds: shown.asked_for ? [shown.child_id, shown.asked_for] : [shown.child_id],
          }),
        );
        if (opts.json) {
          process.stdout.write(JSON.stringify({ ...shown, alerts }, null, 2) + '\n');
          return;
        }
        const out: string[] = [];
        out.push(
          `child ${shown.child_id}${shown.asked_for ? ` (merged from ${shown.asked_for})` : ''} as of ${asOf}`,
        );
        out.push(
          `custody: ${shown.custody.status}${shown.custody.since ? ` since ${shown.custody.since}` : ''}`,
        );
        if (shown.sponsor)
          out.push(`sponsor: ${shown.sponsor.id ?? '?'} (category ${shown.sponsor.category ?? '?'})`);
        for (const k of ['current', 'orr', 'opla', 'eoir'] as const) {
          const a = shown.addresses[k];
          if (a) {
            out.push(
              `address ${k}: ${[a.line, a.unit, a.city, a.state, a.zip5].filter(Boolean).join(', ')} [${a.quality}] (${a.source} ${a.on})`,
            );
          }
        }
        for (const n of shown.ntas) {
          out.push(
            `NTA ${n.recordId}: issued ${n.issuedOn}, served ${n.servedOn ?? '-'}, filed ${n.filedOn ?? '-'}`,
          );
        }
        for (const cc of shown.court_cases) {
          out.push(
            `court case ${cc.idncase} (${cc.courtCode ?? '?'}): opened ${cc.openedOn}` +
              (cc.completedOn ? `, completed ${cc.completedOn} ${cc.completion}` : ', open'),
          );
        }
        if (shown.next_hearing)
          out.push(`next hearing: ${shown.next_hearing.at} (${shown.next_hearing.idncase})`);
        process.stdout.write(out.join('\n') + '\n\ntimeline\n');
        process.stdout.write(
          table(
            shown.timeline.map((t) => ({ ...t, detail: JSON.stringify(t.detail) })),
            ['on', 'fact', 'source', 'record_id', 'source_row_id', 'detail'],
          ),
        );
        process.stdout.write('\nalerts\n');
        process.stdout.write(
          table(alerts, [
            'rule_id',
            'severity',
            'office_kinds',
            'opened_on',
            'due_on',
            'closed_on',
            'close_reason',
          ]),
        );
      });
    });

  program
    .command('alerts')
    .description('gap alerts')
    .command('list')
    .description('list alerts (open ones by default), filtered by rule, office, US state and date')
    .option('--rule <rule>', 'rule id (see "bridge rules list")')
    .option('--office <kind>', 'office kind that must act: ORR, ERO, OPLA or EOIR')
    .option('--state <st>', "US state of the child's address (two letters)")
    .option('--status <status>', 'open, closed or all', 'open')
    .option('--as-of <date>', 'alerts that were open on this date (YYYY-MM-DD)')
    .option('--child <id>', 'one child only')
    .option('--limit <n>', 'at most this many rows', '1000')
    .option('--offset <n>', 'skip this many rows', '0')
    .option('--format <format>', 'table, json or csv')
    .option('--json', 'print JSON to standard output')
    .action(
      async (opts: {
        rule?: string;
        office?: string;
        state?: string;
        status: string;
        asOf?: string;
        child?: string;
        limit: string;
        offset: string;
        format?: string;
        json?: boolean;
      }) => {
        const c = ctx();
        const format = parseFormat(opts.format, opts.json);
        if (opts.rule && !isRuleId(opts.rule))
          throw new BridgeError('USAGE', `--rule: no rule named "${opts.rule}"`);
        if (opts.office && !['ORR', 'ERO', 'OPLA', 'EOIR'].includes(opts.office)) {
          throw new BridgeError('USAGE', `--office must be ORR, ERO, OPLA or EOIR, got "${opts.office}"`);
        }
        if (!['open', 'closed', 'all'].includes(opts.status)) {
          throw new BridgeError('USAGE', `--status must be open, closed or all, got "${opts.status}"`);
        }
        const openOn = opts.asOf === undefined ? undefined : resolveAsOf(c.clock, opts.asOf);
        const limit = Number(opts.limit);
        const offset = Number(opts.offset);
        if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
          throw new BridgeError('USAGE', '--limit must be 1 or more and --offset 0 or more');
        }
        await withDb(c, async (db) => {
          const { total, alerts } = await listAlerts(db, {
            ruleId: opts.rule,
            office: opts.office,
            state: opts.state?.toUpperCase(),
            status: opts.status as 'open' | 'closed' | 'all',
            openOn,
            childId: opts.child,
            limit,
            offset,
          });
          say(`${total} alert(s)${total > alerts.length ? `, showing ${alerts.length} from ${offset}` : ''}`);
          printRows(alerts, ALERT_COLUMNS, format);
        });
      },
    );

  const rules = program.command('rules').description('the gap rule catalogue and its evaluation');
  rules
    .command('list')
    .description('the rule catalogue with the settings in force')
    .option('--format <format>', 'table, json or csv')
    .option('--json', 'print JSON to standard output')
    .action(async (opts: { format?: string; json?: boolean }) => {
      const c = ctx();
      const format = parseFormat(opts.format, opts.json);
      await withDb(c, async (db) => {
        const list = await listRules(db);
        if (format === 'json') {
          process.stdout.write(JSON.stringify(list, null, 2) + '\n');
          return;
        }
        printRows(
          list.map((r) => ({
            ...r,
            offices: r.offices.map((o) => o.office).join(' '),
            settings: Object.entries(r.settings)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          })),
          ['id', 'severity', 'offices', 'settings', 'title'],
          format,
        );
      });
    });

  rules
    .command('set')
    .description('change one setting of a rule (takes effect at the next evaluation)')
    .argument('<rule>', 'rule id')
    .argument('<key>', 'setting name (see "bridge rules list")')
    .argument('<value>', 'a whole number, or true/false')
    .action(async (rule: string, key: string, value: string) => {
      const c = ctx();
      await withDb(c, async (db) => {
        const v = await setRuleSetting(db, rule, key, value, process.env.USER ?? null);
        say(`${rule}.${key} = ${v}; run "bridge rules run" to re-evaluate every child`);
      });
    });

  rules
    .command('run')
    .description('evaluate every rule for every child as of a date and update the alerts')
    .option('--as-of <date>', 'as of this date (YYYY-MM-DD; default today)')
    .option('--json', 'print the summary as JSON to standard output')
    .action(async (opts: { asOf?: string; json?: boolean }) => {
      const c = ctx();
      const asOf = resolveAsOf(c.clock, opts.asOf);
      await withDb(c, async (db) => {
        const progress = createProgress({ label: 'rules', unit: 'children' });
        const summary = await sweepRules({ db, log: c.log, clock: c.clock }, asOf, {
          onProgress: (n) => progress.tick(n),
        });
        progress.stop();
        const counts = await db.query<{ rule_id: string; open: number }>(
          `SELECT rule_id, count(*)::int AS open FROM alert WHERE closed_at IS NULL GROUP BY rule_id ORDER BY rule_id`,
        );
        say(
          `rules as of ${asOf}: ${summary.children} children, ${summary.opened} alerts opened, ` +
            `${summary.refreshed} refreshed, ${summary.closed} closed in ${(summary.ms / 1000).toFixed(1)} s`,
        );
        if (opts.json)
          process.stdout.write(JSON.stringify({ ...summary, open_by_rule: counts }, null, 2) + '\n');
        else printRows(counts, ['rule_id', 'open'], 'table');
      });
    });
}
