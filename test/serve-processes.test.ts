// `bridge serve --processes N`: several serving processes on one port, one session secret, a
// process that dies replaced, and SIGTERM stopping them all.
import fs from 'node:fs';
import http from 'node:http';
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

describe('bridge serve --processes', () => {
  it('refuses the embedded database, which has one session, and a count that is not a number', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-processes-'));
    const embedded = await bridge(['serve', '--port', '0', '--processes', '2'], { BRIDGE_DATA_DIR: dir });
    expect(embedded.status).not.toBe(0);
    expect(embedded.stderr).toMatch(/--processes 2 needs the PostgreSQL server \(DATABASE_URL\)/);
    const bad = await bridge(['serve', '--port', '0', '--processes', 'two'], { BRIDGE_DATA_DIR: dir });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--processes must be a whole number from 1 to 64, got "two"/);
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
      const logins = await seedDemoUsers({ db: t.db, clock: systemClock });
      const orr = logins.find((l) => l.role === 'orr_case_manager')!;
      // Demo mode without a session secret: the first process draws one for the whole group.
      const child = bridgeProcess(['serve', '--port', '0', '--processes', '2', '--no-worker'], {
        DATABASE_URL: t.url,
        BRIDGE_DEMO: '1',
        BRIDGE_SESSION_SECRET: undefined,
        BRIDGE_LOG_LEVEL: 'info',
      });
      let log = '';
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
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
  });
});
