// `bridge demo` (what `npm start` runs): prepares the embedded database and serves it.
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { openMigratedDb } from '../../db/index.ts';
import { startService } from './serve.ts';
import { say } from '../output.ts';

export function registerDemoCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('demo')
    .description('set up the embedded database and serve it (what `npm start` runs)')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .action(async (opts: { port?: string }) => {
      const c = ctx();
      const db = await openMigratedDb(c.config);
      try {
        const running = await startService(c, db, {
          port: opts.port ? Number(opts.port) : c.config.port,
          host: c.config.host,
          worker: true,
        });
        say(`UC Bridge demo on ${db.description}`);
        say(`  API:      ${running.url}/api/openapi.json`);
        say(`  health:   ${running.url}/readyz`);
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
