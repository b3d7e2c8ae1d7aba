// `bridge db migrate` and `bridge db status`.
import type { Command } from 'commander';
import { migrate, migrationName, migrationStatus } from '../../db/index.ts';
import { openDb } from '../../db/index.ts';
import type { CommandContext } from '../context.ts';
import { parseFormat, printRows, say } from '../output.ts';

export function registerDbCommands(program: Command, ctx: () => CommandContext): void {
  const db = program.command('db').description('database schema: apply and list migrations');

  db.command('migrate')
    .description('apply every pending migration (safe when several processes start at once)')
    .action(async () => {
      const c = ctx();
      const conn = await openDb(c.config);
      try {
        const applied = await migrate(conn);
        say(
          applied.length
            ? `applied ${applied.length} migration(s) to ${conn.description}: ${applied.join(', ')}`
            : `${conn.description} is up to date`,
        );
      } finally {
        await conn.close();
      }
    });

  db.command('status')
    .description('list migrations and whether each is applied')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .action(async (opts: { json?: boolean; format?: string }) => {
      const c = ctx();
      const format = parseFormat(opts.format, opts.json);
      const conn = await openDb(c.config);
      try {
        const status = await migrationStatus(conn);
        const pending = status.filter((s) => !s.appliedAt).length;
        say(`${conn.description}: ${status.length - pending} applied, ${pending} pending`);
        printRows(
          status.map((s) => ({
            migration: migrationName(s),
            status: s.appliedAt ? 'applied' : 'pending',
            applied_at: s.appliedAt ?? '',
          })),
          ['migration', 'status', 'applied_at'],
          format,
        );
      } finally {
        await conn.close();
      }
    });
}
