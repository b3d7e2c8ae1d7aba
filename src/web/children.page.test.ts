// The children behind a figure, a page at a time: the pages follow each other by child id, forward
// and back, and together list exactly the children the report counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { buildReport } from '../reports/index.ts';
import { ReportFixture, admission, release, transfer } from '../reports/report-fixture.ts';

const AS_OF = '2024-06-30';

describe('web: children behind a figure', () => {
  let t: TestDb;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestDb();
    const fixture = new ReportFixture();
    // 120 children transferred, of whom every third is never released.
    for (let i = 1; i <= 120; i++) {
      const id = `K${String(i).padStart(3, '0')}`;
      if (i % 3 === 0) fixture.add(id, transfer('2024-01-05'), admission('2024-01-06'));
      else fixture.add(id, transfer('2024-01-05'), admission('2024-01-06'), release('2024-02-01'));
    }
    await fixture.insert(t.db);
    app = await buildServer({ db: t.db, log: silentLog, clock: fixedClock('2024-07-01T12:00:00Z') });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const open = async (url: string) => {
    const res = await app.inject(url);
    expect(res.statusCode, url).toBe(200);
    const ids = [...res.body.matchAll(/<a href="\/children\/([^"?]+)">/g)].map((m) => m[1]!);
    const link = (label: string) => {
      const m = new RegExp(`<a href="([^"]+)">${label}</a>`).exec(res.body);
      return m ? m[1]!.replace(/&amp;/g, '&') : null;
    };
    return { ids, next: link('Next page'), previous: link('Previous page'), first: link('First page') };
  };

  it('pages forward and back by child id through exactly the children counted', async () => {
    const report = await buildReport(t.db, { asOf: AS_OF });
    expect(report.children.released_to_sponsor).toBe(80);
    const pages = [await open(`/children?figure=released_to_sponsor&as_of=${AS_OF}`)];
    expect(pages[0]!.previous).toBeNull();
    while (pages[pages.length - 1]!.next) pages.push(await open(pages[pages.length - 1]!.next!));
    expect(pages.map((p) => p.ids.length)).toEqual([50, 30]);
    const listed = pages.flatMap((p) => p.ids);
    expect(listed).toEqual(
      Array.from({ length: 120 }, (_, k) => k + 1)
        .filter((i) => i % 3 !== 0)
        .map((i) => `K${String(i).padStart(3, '0')}`),
    );
    // Back from the last page: the first page again, and a link to the very first page.
    const back = await open(pages[1]!.previous!);
    expect(back.ids).toEqual(pages[0]!.ids);
    expect(back.next).toBe(pages[0]!.next);
    expect(pages[1]!.first).toBe(`/children?figure=released_to_sponsor&as_of=${AS_OF}`);
  });

  it('a page asked to start after one child and end before another starts after the first', async () => {
    const both = await open(`/children?figure=in_scope&as_of=${AS_OF}&after=K010&before=K005`);
    expect(both.ids.slice(0, 2)).toEqual(['K011', 'K012']);
  });
});
