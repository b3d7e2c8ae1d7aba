import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { AUDIT_CONNECTION_NAME, buildServer } from './server.ts';
import { createLog } from '../shared/log.ts';
import { systemClock } from '../shared/clock.ts';

describe('HTTP server', () => {
  let t: TestDb;
  let app: FastifyInstance;
  const logLines: string[] = [];
  beforeAll(async () => {
    t = await createTestDb();
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    app = await buildServer({ db: t.db, log: createLog('info', sink), clock: systemClock });
    app.get(
      '/api/v1/echo-test',
      { schema: { querystring: { type: 'object', properties: { q: { type: 'string' } } } } },
      async () => ({
        ok: true,
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('answers /healthz and /readyz when the database is migrated', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', pendingMigrations: 0 });
  });

  it('serves an OpenAPI 3.1 document listing its routes', async () => {
    const res = await app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });

  it('logs the route pattern and status, never the query string', async () => {
    logLines.length = 0;
    await app.inject('/api/v1/echo-test?q=GARCIA%20LOPEZ%20A123456789');
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
    expect(line).toMatchObject({ route: '/api/v1/echo-test', status: 200, method: 'GET' });
    expect(logLines.join('')).not.toMatch(/GARCIA|123456789/);
  });

  it('answers unknown routes with 404 in the common error shape', async () => {
    const res = await app.inject('/api/v1/nowhere');
    expect(res.statusCode).toBe(404);
  });
});

describe('HTTP server shutdown', () => {
  it('a handler whose client went away still finishes with the database after the server closed', async () => {
    const t = await createTestDb();
    try {
      const app = await buildServer({ db: t.db, log: createLog('silent'), clock: systemClock });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      let answer: unknown = null;
      app.get('/slow-test', async () => {
        started();
        await gate;
        answer = (await t.db.query<{ n: number }>('SELECT 41 + 1 AS n'))[0]!.n;
        return { ok: true };
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const req = http.get({ host: '127.0.0.1', port, path: '/slow-test' });
      req.on('error', () => {});
      await running;
      req.destroy(); // the client goes away mid-request
      await app.close();
      let done = false;
      const drained = app.handlersDone().then(() => (done = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(done).toBe(false); // the handler is still running: the database must stay open
      release();
      await drained;
      expect(answer).toBe(42);
    } finally {
      await t.close();
    }
  });
});

describe.runIf(testEngine === 'postgres')('audit writer on the server', () => {
  it('writes on a connection of its own, which closes with the server', async () => {
    const t = await createTestDb();
    try {
      const auditConnections = async () =>
        (
          await t.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = $1`,
            [AUDIT_CONNECTION_NAME],
          )
        )[0]!.n;
      const server = await buildServer({ db: t.db, log: createLog('silent'), clock: systemClock });
      expect(await auditConnections()).toBe(1);
      await server.close();
      // The client has closed its socket; the server's backend leaves pg_stat_activity as it exits.
      await expect.poll(auditConnections, { timeout: 5000 }).toBe(0);
    } finally {
      await t.close();
    }
  });
});
