// `bridge ingest`, `bridge quarantine list|show` and `bridge rebuild`.
import type { Command } from 'commander';
import {
  ingestFiles,
  listQuarantine,
  rebuildRecords,
  showQuarantine,
  type FileSummary,
} from '../../feeds/index.ts';
import { projections, runProjections } from '../../projections.ts';
import { warmReportCache } from '../../reports/index.ts';
import { createProgress } from '../../shared/progress.ts';
import { BridgeError } from '../../shared/errors.ts';
import { withDb, type CommandContext } from '../context.ts';
import { parseFormat, printRows, say, table } from '../output.ts';

const SUMMARY_COLUMNS = [
  'file',
  'source',
  'rows',
  'new',
  'unchanged',
  'corrected',
  'quarantined',
  'out_of_scope',
  'error',
];

export function registerFeedCommands(program: Command, ctx: () => CommandContext): void {
  program
    .command('ingest')
    .description(
      'take in agency feed files (.csv, .csv.gz, or folders of them, read in name order); ' +
        'rows that cannot be read are quarantined and the rest still loads',
    )
    .argument('<paths...>', 'files or folders')
    .option('--source <source>', 'cbp, ice, orr, opla or eoir (default: from the file name prefix)')
    .option('--json', 'print the per-file summary as JSON to standard output')
    .option('--chunk-size <rows>', 'rows per transaction', '10000')
    .option('--quiet', 'no progress lines')
    .option('--progress-every <seconds>', 'seconds between progress lines when not on a terminal', '5')
    .addHelpText(
      'after',
      '\nExit status is non-zero only when a file cannot be read (missing, not CSV, unknown source);\n' +
        'quarantined rows do not change it: see them with `bridge quarantine list`.',
    )
    .action(
      async (
        paths: string[],
        opts: { source?: string; json?: boolean; chunkSize: string; quiet?: boolean; progressEvery: string },
      ) => {
        const c = ctx();
        const chunkSize = Number(opts.chunkSize);
        if (!Number.isInteger(chunkSize) || chunkSize < 1) {
          throw new BridgeError(
            'USAGE',
            `--chunk-size must be a positive whole number, got "${opts.chunkSize}"`,
          );
        }
        const summaries = await withDb(c, async (db) => {
          const hooks = projections();
          // One count over every file: files of different sources are stored at the same time.
          const progress = createProgress({
            label: 'ingest',
            quiet: opts.quiet,
            intervalSeconds: Number(opts.progressEvery) || 5,
          });
          let result: Awaited<ReturnType<typeof ingestFiles>>;
          try {
            result = await ingestFiles(
              { db, clock: c.clock, afterRecordsChanged: hooks.afterRecordsChanged },
              { paths, source: opts.source, chunkSize, onRows: (_file, n) => progress.tick(n) },
            );
          } finally {
            progress.stop();
          }
          // Links, alerts, tasks and notifications for what changed, before the command returns.
          const derived = await runProjections({ db, log: c.log, clock: c.clock });
          // Today's overview, computed once now rather than by the first person who opens it.
          if (derived.records) await warmReportCache({ db, clock: c.clock });
          if (derived.records && !opts.quiet) {
            say(
              `linked ${derived.records} changed record(s) of ${derived.children} child(ren): ` +
                `${derived.alertsOpened} alert(s) opened, ${derived.alertsClosed} closed; ` +
                `${derived.tasksOpened} task(s) opened, ${derived.tasksClosed} closed`,
            );
          }
          return result;
        });
        reportSummaries(summaries, Boolean(opts.json));
      },
    );

  const q = program
    .command('quarantine')
    .description('rows that could not be read, with the reason, file and line');
  q.command('list')
    .description('list quarantined rows (open ones unless --all)')
    .option('--source <source>', 'only this source')
    .option('--all', 'include rows since replaced by a corrected version')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .action(async (opts: { source?: string; all?: boolean; json?: boolean; format?: string }) => {
      const c = ctx();
      const format = parseFormat(opts.format, opts.json);
      const rows = await withDb(c, (db) =>
        listQuarantine(db, { source: opts.source, includeResolved: Boolean(opts.all) }),
      );
      const flat = rows.map((r) => ({
        ...r,
        fields_failed: r.reasons.map((x) => x.field).join(' '),
        reasons: r.reasons.map((x) => `${x.field}: ${x.reason}`).join('; '),
      }));
      if (format === 'table') say(`${rows.length} quarantined row(s)`);
      printRows(
        flat,
        ['id', 'source', 'record_id', 'file', 'line', 'status', 'received_at', 'reasons'],
        format,
      );
    });
  q.command('show')
    .description('one quarantined row: the reasons and the row exactly as received')
    .argument('<id>', 'quarantine id (from `quarantine list`)')
    .option('--json', 'print JSON to standard output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const n = Number(id);
      if (!Number.isInteger(n) || n < 1) throw new BridgeError('USAGE', `not a quarantine id: ${id}`);
      const row = await withDb(ctx(), (db) => showQuarantine(db, n));
      if (opts.json) {
        process.stdout.write(JSON.stringify(row, null, 2) + '\n');
        return;
      }
      const lines = [
        `quarantined row ${row.id} (${row.status})`,
        `source:      ${row.source}`,
        `record id:   ${row.record_id ?? '(blank)'}`,
        `file:        ${row.file}, line ${row.line}`,
        `received at: ${row.received_at}`,
        'reasons:',
        ...row.reasons.map((r) => `  ${r.field}: ${r.reason}`),
        'as received:',
        `  ${row.raw_text}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });

  program
    .command('rebuild')
    .description(
      'recompute every projection (canonical records, then what depends on them) from the raw rows',
    )
    .option('--quiet', 'no progress lines')
    .action(async (opts: { quiet?: boolean }) => {
      const c = ctx();
      const result = await withDb(c, async (db) => {
        const progress = createProgress({ label: 'rebuild records', quiet: opts.quiet });
        try {
          return await rebuildRecords(
            { db, clock: c.clock, afterRebuild: projections({ log: c.log, clock: c.clock }).afterRebuild },
            { onRows: (n) => progress.tick(n) },
          );
        } finally {
          progress.stop();
        }
      });
      say(`rebuilt ${result.records} record(s) from the raw rows; removed ${result.removed}`);
    });
}

function reportSummaries(summaries: FileSummary[], json: boolean): void {
  if (json) process.stdout.write(JSON.stringify(summaries, null, 2) + '\n');
  else
    process.stderr.write(
      table(
        summaries.map((s) => ({ ...s, file: s.file })),
        SUMMARY_COLUMNS,
      ),
    );
  const failed = summaries.filter((s) => s.error);
  const quarantined = summaries.reduce((n, s) => n + (s.quarantined ?? 0), 0);
  if (quarantined) say(`${quarantined} row(s) quarantined: see \`bridge quarantine list\``);
  if (failed.length) {
    throw new BridgeError(
      'FEED_FILE_INVALID',
      `${failed.length} of ${summaries.length} file(s) could not be read: ${failed.map((f) => f.file).join(', ')}`,
    );
  }
}
