import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from './server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import { validRow } from '../feeds/testing.ts';

describe('POST /api/v1/feeds/{source}/records', () => {
  let t: TestDb;
  let app: FastifyInstance;
  const changed: number[][] = [];
  beforeAll(async () => {
    t = await createTestDb();
    app = await buildServer(
      { db: t.db, log: silentLog, clock: fixedClock('2024-06-01T12:00:00Z') },
      {
        feeds: {
          bodyLimit: 64 * 1024,
          authorizeFeedPush: async (req) => {
            if (req.headers['x-test-deny']) throw new BridgeError('FORBIDDEN', 'not allowed');
          },
          projections: { afterRecordsChanged: async (_tx, ids) => void changed.push(ids) },
        },
      },
    );
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const post = (source: string, payload: string, type = 'application/json', headers = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/feeds/${source}/records`,
      headers: { 'content-type': type, ...headers },
      payload,
    });

  it('answers each record of a JSON array; the records are stored before the answer', async () => {
    const res = await post(
      'eoir',
      JSON.stringify([
        validRow('eoir', 'V1'),
        { ...validRow('eoir', 'V2'), attendance: 'MAYBE', hearing_date: '' },
        validRow('eoir', 'V1'),
      ]),
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counts).toEqual({ records: 3, accepted: 1, unchanged: 1, corrected: 0, rejected: 1 });
    expect(body.results[0]).toEqual({ index: 1, record_id: 'V1', status: 'accepted' });
    expect(body.results[1].status).toBe('rejected');
    expect(body.results[1].reasons).toEqual(
      expect.arrayContaining([
        { field: 'attendance', reason: expect.stringMatching(/unknown code "MAYBE"/) },
        { field: 'hearing_date', reason: 'required field is blank' },
      ]),
    );
    const [rec] = await t.db.query(
      `SELECT hearing_at, in_absentia, attendance FROM record WHERE record_id = 'V1'`,
    );
    expect(rec).toEqual({ hearing_at: expect.anything(), in_absentia: true, attendance: 'ABSENT' });
    expect(changed.flat()).toHaveLength(1);
    const [q] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM quarantine WHERE record_id = 'V2'`,
    );
    expect(q!.n).toBe(1);
  });

  it('takes NDJSON and reports corrections', async () => {
    const body = [
      JSON.stringify({ ...validRow('eoir', 'V1'), attendance: 'PRESENT', in_absentia: 'N' }),
      JSON.stringify(validRow('eoir', 'V3')),
    ].join('\n');
    const res = await post('eoir', body, 'application/x-ndjson');
    expect(res.statusCode).toBe(200);
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual(['corrected', 'accepted']);
    const [raw] = await t.db.query<{ raw_text: string }>(
      `SELECT raw_text FROM source_row WHERE record_id = 'V1' AND version = 2`,
    );
    expect(raw!.raw_text).toBe(body.split('\n')[0]);
  });

  it('malformed JSON is a 400 that says where', async () => {
    const res = await post('eoir', '[{"eoir_event_id": "V9",, }]');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BODY_INVALID', position: 24, line: 1 });
    const nd = await post('eoir', '{"a":1}\n{"b":', 'application/x-ndjson');
    expect(nd.statusCode).toBe(400);
    expect(nd.json().error).toMatchObject({ code: 'BODY_INVALID', line: 2 });
  });

  it('oversized bodies get 413, unknown sources 404, refused callers 403', async () => {
    const big = JSON.stringify(Array.from({ length: 400 }, (_, i) => validRow('eoir', `B${i}`)));
    expect((await post('eoir', big)).statusCode).toBe(413);
    expect((await post('dhs', '[]')).statusCode).toBe(404);
    expect((await post('eoir', '[]', 'application/json', { 'x-test-deny': '1' })).statusCode).toBe(403);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await app.inject('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toContain('/api/v1/feeds/{source}/records');
  });
});
