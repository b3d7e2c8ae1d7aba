import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { launchBrowser, newPage, screenshot, seriousAxeViolations } from '../../test/web/browser.ts';

async function seedFeeds(t: TestDb) {
  const db = t.db;
  const [batch] = await db.query<{ id: number }>(
    `INSERT INTO feed_batch (source, kind, origin, started_at) VALUES ('orr', 'file', 'orr_events_01.csv', '2026-11-27T15:00:00Z') RETURNING id`,
  );
  for (let i = 1; i <= 3; i++) {
    await db.query(
      `INSERT INTO source_row (source, record_id, version, content_hash, fields, raw_text, batch_id, line, received_at)
       VALUES ('orr', $1, 1, $2, '{}'::jsonb, 'raw', $3, $4, '2026-11-27T15:00:00Z')`,
      [`R${i}`, `h${i}`, batch!.id, i + 1],
    );
  }
  for (let i = 1; i <= 30; i++) {
    await db.query(
      `INSERT INTO quarantine (source, record_id, batch_id, line, raw_text, reasons, content_hash, received_at)
       VALUES ('orr', $1, $2, $3, 'raw', $4::jsonb, $5, '2026-11-27T15:00:00Z')`,
      [
        `Q${i}`,
        batch!.id,
        100 + i,
        JSON.stringify([{ field: 'event_date', reason: `not a date in MM/DD/YYYY: 13/4${i % 10}/2020` }]),
        `q${i}`,
      ],
    );
  }
}

describe('web: feeds page in Chromium', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestDb();
    await seedFeeds(t);
    app = await buildServer({ db: t.db, log: silentLog, clock: fixedClock('2026-11-28T12:00:00Z') });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  it('shows what each source last sent and the rows held back, with reasons, a page at a time', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/feeds`);
    expect(await page.title()).toBe('Agency feeds · UC Bridge');
    const orrRow = page.locator('tr', { has: page.locator('th', { hasText: 'ORR care and release' }) });
    await expect.poll(() => orrRow.locator('td').nth(0).innerText()).toBe('11/27/2026 10:00 AM EST');
    expect(await orrRow.locator('td').nth(3).innerText()).toBe('30');
    expect(await page.getByText('Page 1 of 2 (30 in all)').count()).toBe(1);
    expect(await page.getByText('event_date: not a date in MM/DD/YYYY').count()).toBe(25);
    await screenshot(page, 'feeds');

    await page.getByRole('link', { name: 'Next page' }).click();
    expect(await page.getByText('Page 2 of 2 (30 in all)').count()).toBe(1);
    expect(await page.getByText('event_date: not a date in MM/DD/YYYY').count()).toBe(5);

    await page.selectOption('#source', 'cbp');
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.getByText('No rows are held back from CBP border encounters.').count()).toBe(1);
  });

  it('has no serious accessibility violations and can be used from the keyboard', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/feeds`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
  });

  it('rejects a query string outside the page schema', async () => {
    const res = await fetch(`${base}/feeds?source=%27%3BDROP%20TABLE%20record`);
    expect(res.status).toBe(400);
  });
});
