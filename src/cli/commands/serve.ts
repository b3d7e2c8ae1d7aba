// `bridge serve` (HTTP API and an in-process worker) and `bridge worker` (jobs only).
// Both stop gracefully on SIGINT/SIGTERM: in-flight requests and jobs finish first.
import type { Command } from 'commander';
import { buildServer } from '../../api/server.ts';
import { Worker } from '../../jobs/worker.ts';
import { jobHandlers } from '../../jobs/handlers.ts';
import type { Db } from '../../db/index.ts';
import { createLog } from '../../shared/log.ts';
import { BridgeError } from '../../shared/errors.ts';
import type { CommandContext } from '../context.ts';
import { openMigratedDb } from '../../db/index.ts';
import { say } from '../output.ts';
import { startDelivery } from '../../notify/index.ts';
import { projections } from '../../projections.ts';
import { discoverOidc, loadAccessSecrets, oidcSettingsFromEnv } from '../../access/index.ts';

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the API (and a worker unless `worker` is false) on an open database. */
export async function startService(
  ctx: CommandContext,
  db: Db,
  options: { port: number; host: string; worker: boolean },
): Promise<RunningServer> {
  // Refuses to start outside demo mode when a secret is missing or a default.
  const secrets = loadAccessSecrets();
  const log = createLog(ctx.config.logLevel);
  // Single sign-on when BRIDGE_OIDC_ISSUER is set: the provider's metadata is read once at start.
  const oidcSettings = oidcSettingsFromEnv();
  const oidc = oidcSettings
    ? { settings: oidcSettings, config: await discoverOidc(oidcSettings) }
    : undefined;
  const app = await buildServer(
    { db, log, clock: ctx.clock },
    {
      feeds: { projections: projections({ log, clock: ctx.clock }) },
      access: { secrets, oidc, rateLimitPerMinute: ctx.config.rateLimitPerMinute },
    },
  );
  const worker = options.worker ? new Worker({ db, log, handlers: jobHandlers() }) : null;
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new BridgeError('CONFLICT', `port ${options.port} is already in use; set PORT to another port`);
    }
    throw e;
  }
  worker?.start();
  const notify = options.worker ? startDelivery({ db, log, clock: ctx.clock }) : null;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    async stop() {
      await app.close();
      // Handlers of clients that went away may still be running; the database stays open for them.
      await Promise.race([app.handlersDone(), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await worker?.stop();
      await notify?.stop();
    },
  };
}

export function registerServeCommands(program: Command, ctx: () => CommandContext): void {
  program
    .command('serve')
    .description('run the HTTP API (and a background worker) until stopped')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .option('--no-worker', 'do not run background jobs in this process')
    .action(async (opts: { port?: string; host?: string; worker: boolean }) => {
      const c = ctx();
      loadAccessSecrets(); // before opening anything: a missing secret fails at once
      const db = await openMigratedDb(c.config);
      try {
        const running = await startService(c, db, {
          port: opts.port ? Number(opts.port) : c.config.port,
          host: opts.host ?? c.config.host,
          worker: opts.worker,
        });
        say(
          `UC Bridge is serving ${db.description} at ${running.url} (OpenAPI: ${running.url}/api/openapi.json)`,
        );
        const sig = await untilSignal();
        say(`${sig}: finishing in-flight work, then stopping`);
        await running.stop();
      } finally {
        await db.close();
      }
    });

  program
    .command('worker')
    .description('run background jobs until stopped (several may run against one PostgreSQL server)')
    .action(async () => {
      const c = ctx();
      const db = await openMigratedDb(c.config);
      const worker = new Worker({ db, log: createLog(c.config.logLevel), handlers: jobHandlers() });
      try {
        worker.start();
        const notify = startDelivery({ db, log: createLog(c.config.logLevel), clock: c.clock });
        say(`worker ${worker.id} running on ${db.description}`);
        await untilSignal();
        await worker.stop();
        await notify.stop();
      } finally {
        await db.close();
      }
    });
}
