// `bridge serve` (HTTP API and an in-process worker) and `bridge worker` (jobs only).
// Both stop gracefully on SIGINT/SIGTERM: in-flight requests and jobs finish first.
import cluster from 'node:cluster';
import type { Command } from 'commander';
import { buildServer } from '../../api/server.ts';
import { Worker } from '../../jobs/worker.ts';
import { jobHandlers } from '../../jobs/handlers.ts';
import type { Db } from '../../db/index.ts';
import { createLog } from '../../shared/log.ts';
import { BridgeError } from '../../shared/errors.ts';
import { processCount } from '../../shared/config.ts';
import type { CommandContext } from '../context.ts';
import { openMigratedDb } from '../../db/index.ts';
import { say } from '../output.ts';
import { startDelivery } from '../../notify/index.ts';
import { projections } from '../../projections.ts';
import {
  discoverOidc,
  loadAccessSecrets,
  LOGIN_PER_MINUTE,
  oidcSettingsFromEnv,
} from '../../access/index.ts';

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
  options: { port: number; host: string; worker: boolean; processes?: number },
): Promise<RunningServer> {
  // Refuses to start outside demo mode when a secret is missing or a default.
  const secrets = loadAccessSecrets();
  const log = createLog(ctx.config.logLevel);
  const share = options.processes ?? 1;
  // Single sign-on when BRIDGE_OIDC_ISSUER is set: the provider's metadata is read once at start.
  const oidcSettings = oidcSettingsFromEnv();
  const oidc = oidcSettings
    ? { settings: oidcSettings, config: await discoverOidc(oidcSettings) }
    : undefined;
  const app = await buildServer(
    { db, log, clock: ctx.clock },
    {
      feeds: { projections: projections({ log, clock: ctx.clock }) },
      // Each process of a group counts its own clients' requests: it allows its share of the
      // limits, so that a client reaching every process still gets no more than one process allowed.
      access: {
        secrets,
        oidc,
        rateLimitPerMinute: Math.ceil(ctx.config.rateLimitPerMinute / share),
        loginPerMinute: Math.ceil(LOGIN_PER_MINUTE / share),
      },
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
    .option(
      '--processes <n>',
      'serve from N processes sharing the port (PostgreSQL server only; default: BRIDGE_PROCESSES or 1)',
    )
    .action(async (opts: { port?: string; host?: string; worker: boolean; processes?: string }) => {
      const c = ctx();
      const secrets = loadAccessSecrets(); // before opening anything: a missing secret fails at once
      const processes = opts.processes ? processCount(opts.processes, '--processes') : c.config.processes;
      if (processes > 1 && !c.config.databaseUrl) {
        throw new BridgeError(
          'CONFIG_INVALID',
          `--processes ${processes} needs the PostgreSQL server (DATABASE_URL): the embedded database has one session`,
        );
      }
      const port = opts.port ? Number(opts.port) : c.config.port;
      const host = opts.host ?? c.config.host;
      if (processes > 1 && cluster.isPrimary) {
        // Migrated once, here: a database that cannot be reached is one error, not one per process.
        await (await openMigratedDb(c.config)).close();
        // One session secret for the group (in demo mode it is drawn here): a session signed in
        // through one process is valid in every other.
        await superviseProcesses(processes, { BRIDGE_SESSION_SECRET: secrets.sessionSecret });
        return;
      }
      // In a group one process runs the background worker (jobs are claimed with row locks, so
      // more could; one keeps the deliveries' pace as with a single process).
      const inGroup = cluster.isWorker;
      const db = await openMigratedDb(c.config);
      try {
        const running = await startService(c, db, {
          port,
          host,
          worker: opts.worker && (!inGroup || process.env[JOBS_ENV] === '1'),
          processes,
        });
        if (inGroup) {
          process.send!({ serving: running.url });
        } else {
          say(
            `UC Bridge is serving ${db.description} at ${running.url} (OpenAPI: ${running.url}/api/openapi.json)`,
          );
        }
        const sig = await untilSignal();
        if (!inGroup) say(`${sig}: finishing in-flight work, then stopping`);
        await running.stop();
      } finally {
        await db.close();
        // The channel to the first process would keep this one alive.
        if (inGroup) process.disconnect();
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

/** Set by the first process of a group on the one serving process that also runs jobs. */
const JOBS_ENV = 'BRIDGE_SERVE_RUNS_JOBS';

/**
 * The first process of a group: starts N serving processes on one port (node:cluster hands each new
 * connection to the next process), starts another in place of one that dies, and on SIGINT/SIGTERM
 * stops them all, each finishing its in-flight work first. A process that ends before the group
 * is serving (a port in use, a database gone) stops the group: it would only fail again.
 */
async function superviseProcesses(n: number, env: Record<string, string>): Promise<void> {
  let stopping = false;
  let announced = false;
  const serving = new Set<number>();
  let jobsIn: number | null = null;
  let failed: (reason: string) => void = () => {};
  const failure = new Promise<string>((resolve) => (failed = resolve));
  const start = () => {
    const jobs = jobsIn === null;
    const p = cluster.fork({ ...env, [JOBS_ENV]: jobs ? '1' : '0' });
    if (jobs) jobsIn = p.id;
    p.on('message', (m: { serving?: string }) => {
      if (!m.serving) return;
      serving.add(p.id);
      if (announced) {
        say(`serving process ${p.process.pid} is serving`);
      } else if (serving.size === n) {
        announced = true;
        say(
          `UC Bridge is serving from ${n} processes at ${m.serving} (OpenAPI: ${m.serving}/api/openapi.json)`,
        );
      }
    });
  };
  cluster.on('exit', (p, code, signal) => {
    serving.delete(p.id);
    if (jobsIn === p.id) jobsIn = null;
    if (stopping) return;
    const how = signal ?? `exit code ${code}`;
    if (!announced) {
      failed(`a serving process ended before the group was serving (${how})`);
      return;
    }
    say(`serving process ${p.process.pid} ended (${how}); starting another`);
    // A second apart: a process that cannot stay up (its database gone) is not restarted in a loop.
    setTimeout(() => {
      if (!stopping) start();
    }, 1000);
  });
  for (let i = 0; i < n; i++) start();
  const outcome = await Promise.race([
    untilSignal().then((sig) => ({ sig })),
    failure.then((why) => ({ why })),
  ]);
  stopping = true;
  if ('sig' in outcome) say(`${outcome.sig}: finishing in-flight work, then stopping`);
  const ended = Object.values(cluster.workers ?? {}).map(
    (p) => new Promise<void>((r) => (p!.isDead() ? r() : p!.once('exit', () => r()))),
  );
  for (const p of Object.values(cluster.workers ?? {})) p?.process.kill('SIGTERM');
  await Promise.all(ended);
  if ('why' in outcome) throw new BridgeError('INTERNAL', outcome.why);
}
