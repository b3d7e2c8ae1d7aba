import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { buildReport } from '../reports/index.ts';
import { ReportFixture, admission, eoir, nta, release, transfer } from '../reports/report-fixture.ts';
import { launchBrowser, newPage, screenshot, seriousAxeViolations } from '../../test/web/browser.ts';

const AS_OF = '2024-06-30';

describe('web: overview in Chromium', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestDb();
    await new ReportFixture()
      .add('C1', transfer('2024-01-05'), admission('2024-01-06'), release('2024-02-01'))
      .add(
        'C2',
        transfer('2024-01-10'),
        release('2024-03-01'),
        nta('2024-03-10', { served_date: '2024-03-12', filed_date: '2024-03-20' }),
        eoir('CASE_OPENED', '2024-03-20', { idncase: 'K1' }),
        eoir('HEARING_RESULT', '2024-05-02', {
          idncase: 'K1',
          hearing_at: '2024-05-01 09:00',
          attendance: 'ABSENT',
          in_absentia: true,
        }),
      )
      .add('C3', transfer('2023-09-20'), admission('2023-09-21'))
      .insert(t.db);
    app = await buildServer({ db: t.db, log: silentLog, clock: fixedClock('2024-07-01T12:00:00Z') });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  it("shows the report's figures for the chosen date, and each opens the children behind it", async () => {
    const report = await buildReport(t.db, { asOf: AS_OF });
    const page = await newPage(browser);
    await page.goto(`${base}/?as_of=${AS_OF}`);
    const value = (key: string) => page.locator(`[data-figure="${key}"] .value`).innerText();
    expect(await value('children.released_to_sponsor')).toBe(String(report.children.released_to_sponsor));
    expect(await value('children.transferred_to_orr')).toBe(String(report.children.transferred_to_orr));
    expect(await value('no_nta_served')).toBe(String(report.no_nta_served));
    expect(await value('failed_to_appear')).toBe(String(report.failed_to_appear));
    expect(await value('in_absentia_orders')).toBe(String(report.in_absentia_orders));
    // The fixture: three children transferred, two released, one never served, one missed court.
    expect([
      report.children.transferred_to_orr,
      report.children.released_to_sponsor,
      report.no_nta_served,
    ]).toEqual([3, 2, 1]);
    expect(await page.locator('table', { hasText: 'Fiscal year' }).getByText('FY2023').count()).toBe(1);
    // Timeliness: C2 was served 11 days after release; its missed hearing was never told to ORR.
    const timeliness = (key: string) => page.locator(`[data-timeliness="${key}"] td`).allInnerTexts();
    expect(await timeliness('release_to_nta_served')).toEqual(['1 child', '11', '11', '']);
    expect(await timeliness('missed_hearing_to_orr_notified')).toEqual([
      '0 children',
      'none yet',
      'none yet',
      '1',
    ]);
    expect(report.timeliness.missed_hearing_to_orr_notified.waiting).toBe(1);
    await screenshot(page, 'overview');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.locator('[data-figure="failed_to_appear"] a').click();
    expect(await page.getByText('1 children counted in failed to appear').count()).toBe(1);
    expect(await page.locator('tbody tr').first().locator('td').first().innerText()).toBe('C2');
    // Listing children is a disclosure: audited with the ids the page showed.
    const listed = await t.db.query<{ child_ids: string[] }>(
      `SELECT child_ids FROM audit_log WHERE action = 'child.list' ORDER BY seq DESC LIMIT 1`,
    );
    expect(listed).toEqual([{ child_ids: ['C2'] }]);
    await screenshot(page, 'children');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('an earlier date shows the figures as the records stood then', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/`);
    await page.fill('#as_of', '2024-02-15');
    await page.getByRole('button', { name: 'Show figures' }).click();
    const report = await buildReport(t.db, { asOf: '2024-02-15' });
    expect(report.children.released_to_sponsor).toBe(1);
    expect(await page.locator('[data-figure="children.released_to_sponsor"] .value').innerText()).toBe('1');
  });
});
