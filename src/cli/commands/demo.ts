// `bridge demo` (what `npm start` runs): prepares the embedded database and serves it.
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { openMigratedDb } from '../../db/index.ts';
import { startService } from './serve.ts';
import { say } from '../output.ts';
import { seedDemoUsers } from '../../access/index.ts';

export function registerDemoCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('demo')
    .description('set up the embedded database and serve it (what `npm start` runs)')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .action(async (opts: { port?: string }) => {
      const c = ctx();
      // Demo mode allows generated secrets (see src/access/secrets.ts).
      process.env.BRIDGE_DEMO = '1';
      const db = await openMigratedDb(c.config);
      try {
        const logins = await seedDemoUsers({ db, clock: c.clock });
        const running = await startService(c, db, {
          port: opts.port ? Number(opts.port) : c.config.port,
          host: c.config.host,
          worker: true,
        });
        say(`UC Bridge demo on ${db.description}`);
        say(`  API:      ${running.url}/api/openapi.json`);
        say(`  health:   ${running.url}/readyz`);
        say('  sign in (POST /api/v1/auth/login) as:');
        for (const l of logins) say(`    ${l.username.padEnd(26)} ${l.password}  (${l.role}, ${l.office})`);
        say('Press Ctrl+C to stop.');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await running.stop();
      } finally {
        await db.close();
      }
    });
}
