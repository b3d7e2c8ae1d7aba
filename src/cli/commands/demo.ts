// `bridge demo` (what `npm start` runs): on a fresh database, simulates a synthetic population,
// ingests its five agency feeds (linking, rules, tasks and notifications follow), seeds one user per
// role, and serves it all.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { openMigratedDb, type Db } from '../../db/index.ts';
import { startService } from './serve.ts';
import { say } from '../output.ts';
import { seedDemoUsers } from '../../access/index.ts';
import { simulate } from '../../simulate/index.ts';
import { ingestFiles } from '../../feeds/index.ts';
import { projections, runProjections } from '../../projections.ts';
import { warmReportCache } from '../../reports/index.ts';
import { createProgress } from '../../shared/progress.ts';
import { BridgeError } from '../../shared/errors.ts';

// Small enough to be ready in about a minute on a laptop; `--children` asks for more.
const DEFAULT_DEMO_CHILDREN = 1500;
const DEMO_SEED = 2019;

async function loadDemoPopulation(c: CommandContext, db: Db, children: number): Promise<void> {
  const [{ n }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record')) as [{ n: number }];
  if (n > 0) {
    say(`the database already holds ${n} records; serving them as they are`);
    return;
  }
  const feedsDir = path.join(c.config.dataDir, 'demo-feeds');
  fs.rmSync(feedsDir, { recursive: true, force: true });
  const simProgress = createProgress({ label: 'simulate', unit: 'children', total: children });
  const sim = await simulate({ outDir: feedsDir, children, seed: DEMO_SEED, progress: simProgress });
  simProgress.stop();
  say(`simulated ${sim.children} synthetic children (${sim.rows} feed rows) in ${feedsDir}`);
  const ingestProgress = createProgress({ label: 'ingest', unit: 'rows', total: sim.rows });
  await ingestFiles(
    {
      db,
      clock: c.clock,
      afterRecordsChanged: projections({ log: c.log, clock: c.clock }).afterRecordsChanged,
    },
    { paths: [feedsDir], onRows: (_file, rows) => ingestProgress.tick(rows) },
  );
  ingestProgress.stop();
  say('linking records into children, evaluating the gap rules, opening tasks …');
  const derived = await runProjections({ db, log: c.log, clock: c.clock });
  await warmReportCache({ db, clock: c.clock });
  say(
    `${derived.children} children linked; ${derived.alertsOpened} alerts and ${derived.tasksOpened} tasks opened`,
  );
}

export function registerDemoCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('demo')
    .description(
      'simulate a synthetic population, ingest it and serve it on the embedded database (what `npm start` runs)',
    )
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .option('--children <n>', `children to simulate on a fresh database (default ${DEFAULT_DEMO_CHILDREN})`)
    .option('--no-serve', 'prepare the database and stop')
    .action(async (opts: { port?: string; children?: string; serve: boolean }) => {
      const c = ctx();
      const children = opts.children === undefined ? DEFAULT_DEMO_CHILDREN : Number(opts.children);
      if (!Number.isInteger(children) || children < 1) {
        throw new BridgeError('USAGE', `--children must be a positive whole number, got "${opts.children}"`);
      }
      // Demo mode allows generated secrets (see src/access/secrets.ts).
      process.env.BRIDGE_DEMO = '1';
      const db = await openMigratedDb(c.config);
      try {
        await loadDemoPopulation(c, db, children);
        const logins = await seedDemoUsers({ db, clock: c.clock });
        if (!opts.serve) return;
        const running = await startService(c, db, {
          port: opts.port ? Number(opts.port) : c.config.port,
          host: c.config.host,
          worker: true,
        });
        say(`UC Bridge demo on ${db.description}`);
        say(`  web:      ${running.url}/login`);
        say(`  API:      ${running.url}/api/openapi.json`);
        say(`  health:   ${running.url}/readyz`);
        say('  sign in (on the web, or POST /api/v1/auth/login) as:');
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
