// `bridge serve --processes N`: several serving processes on one port, one session secret, a
// process that dies replaced, and SIGTERM stopping them all.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridge, bridgeProcess, waitForStderr } from './cli.ts';
import { createTestDb, testEngine, type TestDb } from '../src/db/testing.ts';
import { seedDemoUsers } from '../src/access/index.ts';
import { systemClock } from '../src/shared/clock.ts';

/** A GET on a connection of its own (no keep-alive), so each may reach another process. */
function getFresh(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { cookie } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      })
      .on('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `bridge serve --processes 2` on a database with the demo users; a session cookie of one. */
async function startGroup(t: TestDb, env: Record<string, string | undefined>) {
  const logins = await seedDemoUsers({ db: t.db, clock: systemClock });
  const orr = logins.find((l) => l.role === 'orr_case_manager')!;
  const child = bridgeProcess(['serve', '--port', '0', '--processes', '2', '--no-worker'], {
    DATABASE_URL: t.url,
    ...env,
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const [, url] = await waitForStderr(child, /serving from 2 processes at (http:\/\/\S+) /);
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: orr.username, password: orr.password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { child, exited, url: url!, cookie };
}

describe('bridge serve --processes', () => {
  it('refuses the embedded database, which has one session, and a count that is not a number', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-processes-'));
    const embedded = await bridge(['serve', '--port', '0', '--processes', '2'], { BRIDGE_DATA_DIR: dir });
    expect(embedded.status).not.toBe(0);
    expect(embedded.stderr).toMatch(/--processes 2 needs the PostgreSQL server \(DATABASE_URL\)/);
    const bad = await bridge(['serve', '--port', '0', '--processes', 'two'], { BRIDGE_DATA_DIR: dir });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--processes must be a whole number from 1 to 64, got "two"/);
    const env = await bridge(['serve', '--port', '0'], { BRIDGE_DATA_DIR: dir, BRIDGE_PROCESSES: '0' });
    expect(env.status).not.toBe(0);
    expect(env.stderr).toMatch(/BRIDGE_PROCESSES must be a whole number from 1 to 64, got "0"/);
  });

  describe.runIf(testEngine === 'postgres')('on the PostgreSQL server', () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb();
    });
    afterAll(async () => {
      await t.close();
    });

    it('serves one session from every process, replaces one that dies, and stops them all', async () => {
      // Demo mode without a session secret: the first process draws one for the whole group.
      const { child, exited, url, cookie } = await startGroup(t, {
        BRIDGE_DEMO: '1',
        BRIDGE_SESSION_SECRET: undefined,
        BRIDGE_LOG_LEVEL: 'info',
      });
      let log = '';
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      try {
        const answeredBy = () =>
          new Set(
            log
              .split('\n')
              .filter((l) => l.includes('"route":"/api/v1/auth/me"'))
              .map((l) => (JSON.parse(l) as { pid: number }).pid),
          );
        for (let i = 0; i < 20; i++) expect(await getFresh(`${url}/api/v1/auth/me`, cookie)).toBe(200);
        const pids = [...answeredBy()];
        expect(pids).toHaveLength(2);

        // One process killed outright: another takes its place, and the session still holds.
        process.kill(pids[0]!, 'SIGKILL');
        await waitForStderr(child, /ended \(SIGKILL\); starting another[^]*serving process \d+ is serving/);
        for (let i = 0; i < 20; i++) expect(await getFresh(`${url}/api/v1/auth/me`, cookie)).toBe(200);
        const later = answeredBy();
        expect(later.size).toBe(3);

        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        for (const pid of later) expect(alive(pid), `serving process ${pid}`).toBe(false);
      } finally {
        child.kill('SIGKILL');
      }
    }, 120_000);

    it('gives each process its share of the rate limit: a client reaching both gets no more', async () => {
      const { child, exited, url, cookie } = await startGroup(t, { BRIDGE_RATE_LIMIT_PER_MINUTE: '6' });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) statuses.push(await getFresh(`${url}/api/v1/auth/me`, cookie));
        // Three a minute in each process, however the connections were shared out between them.
        const ok = statuses.filter((s) => s === 200).length;
        expect(ok).toBeGreaterThan(0);
        expect(ok).toBeLessThanOrEqual(6);
        expect(statuses.filter((s) => s === 429)).toHaveLength(12 - ok);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    }, 60_000);

    it('stops the group with a clear error when a process cannot start', async () => {
      const busy = net.createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
      const port = String((busy.address() as net.AddressInfo).port);
      try {
        const res = await bridge(['serve', '--port', port, '--processes', '2', '--no-worker'], {
          DATABASE_URL: t.url,
        });
        expect(res.status).not.toBe(0);
        expect(res.stderr).toMatch(new RegExp(`port ${port} is already in use`));
        expect(res.stderr).toMatch(/a serving process ended before the group was serving/);
      } finally {
        busy.close();
      }
    }, 60_000);
  });
});
