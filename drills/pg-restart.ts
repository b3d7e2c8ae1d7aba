// `npm run drill -- pg-restart [--seconds S] [--restart-at T]`
// The PostgreSQL server restarted under load: `bridge serve` runs on a scratch database of the
// local server while a client signs in and asks for a worklist and the readiness check without
// pause; T seconds in, the server is restarted (`pg_ctlcluster ... restart`, so it needs root on
// the machine that runs PostgreSQL). The drill passes when the service answers again by itself,
// without a restart of its own, and every request after recovery succeeds.
// Not part of `npm test`: restarting the database server would break every test running beside it.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { seedDemoUsers } from '../src/access/index.ts';
import { systemClock } from '../src/shared/clock.ts';
import { signIn, startServe } from '../bench/lib/serve-process.ts';
import { withScratchDatabase } from '../bench/lib/bench-database.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const seconds = Number(arg('seconds', '30'));
const restartAt = Number(arg('restart-at', '8'));
const admin = process.env.DRILL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Probe {
  at: number;
  ok: boolean;
  status: number;
}
const probes: Probe[] = [];
let restartedAt = 0;
let aliveAtEnd = false;
let databaseBackAt = 0;
await withScratchDatabase(admin, 'bridge_drill_pg_restart', async (db, url) => {
  const logins = await seedDemoUsers({ db, clock: systemClock });
  const ero = logins.find((l) => l.role === 'ero_officer')!;
  const server = await startServe(url);
  const base = server.base;
  try {
    const cookie = await signIn(base, ero.username, ero.password);
    const start = Date.now();
    const restart = (async () => {
      await sleep(restartAt * 1000);
      const version = fs.readdirSync('/etc/postgresql')[0]!;
      restartedAt = (Date.now() - start) / 1000;
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], {
        stdio: 'inherit',
      });
      databaseBackAt = (Date.now() - start) / 1000;
    })();
    // Eight clients without pause: readiness, and a worklist that needs the session and the tasks.
    const client = async (k: number) => {
      while (Date.now() - start < seconds * 1000) {
        const at = (Date.now() - start) / 1000;
        try {
          const res =
            k % 2 === 0
              ? await fetch(`${base}/readyz`)
              : await fetch(`${base}/api/work/offices/${encodeURIComponent(ero.office)}/tasks`, {
                  headers: { cookie },
                });
          await res.arrayBuffer();
          probes.push({ at, ok: res.ok, status: res.status });
        } catch {
          probes.push({ at, ok: false, status: 0 });
        }
        await sleep(20);
      }
    };
    await Promise.all([restart, ...Array.from({ length: 8 }, (_, k) => client(k))]);
    aliveAtEnd = server.alive();
  } finally {
    await server.stop();
  }
});

const failures = probes.filter((p) => !p.ok);
const lastFailure = failures.length ? Math.max(...failures.map((p) => p.at)) : null;
const afterRecovery = probes.filter((p) => lastFailure !== null && p.at > lastFailure);
const before = probes.filter((p) => p.at < restartedAt);
const recovered = lastFailure === null || (afterRecovery.length > 0 && afterRecovery.every((p) => p.ok));
const lines = [
  `PostgreSQL restarted at ${restartedAt.toFixed(1)} s; the restart command returned at ${databaseBackAt.toFixed(1)} s`,
  `requests: ${probes.length} (${before.length} before the restart, all ${before.every((p) => p.ok) ? 'answered' : 'NOT answered'})`,
  `failed requests: ${failures.length}` +
    (failures.length
      ? ` (statuses ${[...new Set(failures.map((f) => f.status))].join(', ')}; ` +
        `first at ${Math.min(...failures.map((p) => p.at)).toFixed(1)} s, last at ${lastFailure!.toFixed(1)} s)`
      : ''),
  lastFailure === null
    ? 'no request failed: requests waited while the database restarted, then were answered'
    : `service answered again ${(lastFailure - databaseBackAt).toFixed(1)} s after the database was back; ` +
      `${afterRecovery.length} requests after that, ${afterRecovery.filter((p) => !p.ok).length} failed`,
  `bridge serve kept running: ${aliveAtEnd ? 'yes' : 'no'}`,
  `requests per second around the restart (ok/failed): ${timeline()}`,
  `drill ${recovered && aliveAtEnd ? 'PASSED' : 'FAILED'}: the service recovered by itself`,
];
process.stdout.write(lines.join('\n') + '\n');
process.exitCode = recovered && aliveAtEnd ? 0 : 1;

function timeline(): string {
  const out: string[] = [];
  for (let s = Math.floor(restartedAt) - 1; s <= Math.ceil(databaseBackAt) + 2; s++) {
    const inSecond = probes.filter((p) => p.at >= s && p.at < s + 1);
    out.push(`${s}s ${inSecond.filter((p) => p.ok).length}/${inSecond.filter((p) => !p.ok).length}`);
  }
  return out.join(', ');
}
