// The web application in real Chromium with access control on: each role signs in, sees only its
// pages, works tasks, opens children with a stated purpose, decides a review pair, and the audit
// log shows the reads. axe-core runs on every page; a screenshot of each is kept.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { seedDemoUsers, type DemoLogin, type Role } from '../access/index.ts';
import { buildReport } from '../reports/index.ts';
import { ReportFixture, admission, release, transfer } from '../reports/report-fixture.ts';
import { linkAll } from '../identity/index.ts';
import { seedRecords } from '../identity/seed-records.ts';
import { syntheticPopulation } from '../identity/synthetic.ts';
import type { LinkInput } from '../identity/record-table.ts';
import { syncTasks } from '../work/index.ts';
import { openAlert } from '../work/testing.ts';
import { addSubscription, recordEvent } from '../notify/index.ts';
import { launchBrowser, newPage, screenshot, seriousAxeViolations } from '../../test/web/browser.ts';

const clock = fixedClock('2024-07-01T12:00:00Z');
const AS_OF = '2024-07-01';
const SACRAMENTO = { line: '5 K ST', unit: null, city: 'SACRAMENTO', state: 'CA', zip: '95814' };

const person = (over: Partial<LinkInput>): Omit<LinkInput, 'pk'> => ({
  source: 'orr',
  recordId: 'X',
  aNumber: null,
  orrId: null,
  idncase: null,
  given: 'JUANA',
  surname1: 'VELASQUEZ',
  surname2: 'SUCUP',
  dob: '2007-07-25',
  sex: 'F',
  country: 'GTM',
  ownDate: '2022-02-01',
  eventType: 'ADMISSION',
  ...over,
});

describe('web pages by role (Chromium, access control on)', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let logins: DemoLogin[];

  beforeAll(async () => {
    t = await createTestDb();
    logins = await seedDemoUsers({ db: t.db, clock });
    // Identity: a small population for the model, and one uncertain pair for a person to decide.
    await seedRecords(t.db, syntheticPopulation(120, undefined, 5));
    await seedRecords(t.db, [
      person({ source: 'orr', recordId: 'ORR-T1', orrId: 'UCT1' }),
      person({
        source: 'eoir',
        recordId: 'EOIR-T1',
        aNumber: '299999991',
        idncase: 'T1',
        surname2: null,
        dob: null,
        sex: null,
        country: null,
        ownDate: '2022-09-15',
        eventType: 'CASE_OPENED',
      }),
    ]);
    await linkAll({ db: t.db, log: silentLog, clock });
    // Cases: two children released to one Houston address, one in California.
    await new ReportFixture()
      .add('W1', transfer('2024-01-05'), admission('2024-01-06'), release('2024-02-01'))
      .add('W2', transfer('2024-01-10'), admission('2024-01-11'), release('2024-03-01'))
      .add('W3', transfer('2024-02-10'), admission('2024-02-11'), release('2024-03-05', SACRAMENTO))
      .insert(t.db);
    await t.db.query(
      `UPDATE record SET sponsor_id = 'SPONSOR-' || id, sponsor_category = 'parent'
        WHERE source = 'orr' AND event_type = 'RELEASE'`,
    );
    await openAlert(t.db, { childId: 'W1', rule: 'NO_NTA', openedOn: '2024-03-02', dueOn: '2024-06-01' });
    await openAlert(t.db, { childId: 'W2', rule: 'NO_NTA', openedOn: '2024-04-01', dueOn: '2024-07-02' });
    await openAlert(t.db, { childId: 'W3', rule: 'NO_NTA', openedOn: '2024-04-05', dueOn: '2024-08-01' });
    await syncTasks({ db: t.db, clock, log: silentLog });
    // Notifications: one dead letter to replay.
    await addSubscription(t.db, {
      agency: 'ORR',
      name: 'ORR portal',
      webhookUrl: 'http://127.0.0.1:9/hook',
      eventTypes: ['child.fled_custody'],
    });
    await t.db.transaction((tx) =>
      recordEvent(tx, { type: 'child.fled_custody', childId: 'W1', occurredAt: clock.now(), data: {} }),
    );
    await t.db.query(
      `UPDATE notify_delivery SET status = 'dead', attempts = max_attempts, last_error = 'connection refused'`,
    );
    app = await buildServer(
      { db: t.db, log: silentLog, clock },
      { access: { secrets: { sessionSecret: crypto.randomBytes(32).toString('hex'), demo: true } } },
    );
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  async function signIn(role: Role): Promise<Page> {
    const login = logins.find((l) => l.role === role)!;
    const page = await newPage(browser);
    await page.goto(`${base}/login`);
    await page.fill('#username', login.username);
    await page.fill('#password', login.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname !== '/login');
    return page;
  }

  /** Checks the page with axe-core and keeps its screenshot. */
  async function check(page: Page, name: string) {
    await screenshot(page, name);
    expect(await seriousAxeViolations(page), name).toEqual([]);
  }

  const navLabels = (page: Page) => page.locator('nav.main a').allInnerTexts();

  it('a supervisor works the office worklist: opens a child with a purpose, closes a task, assigns in bulk', async () => {
    const page = await signIn('ero_supervisor');
    expect(await navLabels(page)).toEqual([
      'Overview',
      'My tasks',
      "My office's tasks",
      'Identity review',
      'Recurring addresses',
      'Children',
      'Feeds',
    ]);
    await page.goto(`${base}/work/office`);
    await check(page, 'office-worklist');
    // W1 overdue, W2 due tomorrow; W3 lives in California, another office's area.
    const rows = page.locator('table.tasks tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('[data-summary="Overdue"] dd').innerText()).toBe('1');
    expect(await rows.nth(0).innerText()).toMatch(/W1[\s\S]*Overdue/);
    expect(await rows.nth(1).innerText()).toMatch(/W2[\s\S]*Due soon/);

    // Open the child from the worklist: the purpose comes first.
    await rows.nth(0).getByRole('link', { name: 'W1' }).click();
    expect(await page.getByRole('group', { name: 'Why are you opening this record?' }).count()).toBe(1);
    await check(page, 'child-purpose');
    await page.getByLabel("The child's safety and welfare").check();
    await page.getByRole('button', { name: 'Open the record' }).click();
    expect(await page.locator('[data-child]').innerText()).toBe('W1');
    const orr = page.getByRole('region', { name: 'ORR (care and release)' });
    expect(await orr.locator('li.record').count()).toBe(2);
    // Sponsors are shown to ERO for the child's safety.
    expect(await orr.innerText()).toMatch(/SPONSOR-/);
    expect(await page.getByRole('region', { name: 'ICE (transfer)' }).locator('li.record').count()).toBe(1);
    await check(page, 'child-record');

    // Close W1's task with an outcome; a close the work rules refuse says why.
    await page.goto(`${base}/work/office`);
    await page
      .locator('table.tasks tbody tr')
      .nth(0)
      .getByRole('link', { name: /Open task/ })
      .click();
    await check(page, 'task');
    await page.selectOption('#outcome', 'not_actionable');
    await page.getByRole('button', { name: 'Close task' }).click();
    expect(await page.getByRole('alert').innerText()).toMatch(/needs a note saying why/);
    await page.getByRole('link', { name: 'Go back' }).click();
    await page.selectOption('#outcome', 'nta_served');
    await page.getByRole('button', { name: 'Close task' }).click();
    expect(await page.getByRole('status').innerText()).toMatch(/task is closed/);
    expect(await page.locator('[data-status]').innerText()).toMatch(
      /Closed .* by demo-ero-supervisor: Notice to Appear served/,
    );
    const [closed] = await t.db.query<{ outcome: string; closed_by: string }>(
      `SELECT outcome, closed_by FROM task WHERE child_id = 'W1' AND office_kind = 'ERO'`,
    );
    expect(closed).toEqual({ outcome: 'nta_served', closed_by: 'demo-ero-supervisor' });
    // The close is in the tamper-evident audit log, with the child it concerns.
    const closeAudit = await t.db.query<{ actor_id: string; child_ids: string[] }>(
      `SELECT actor_id, child_ids FROM audit_log WHERE action = 'task.close'`,
    );
    expect(closeAudit).toEqual([{ actor_id: expect.stringMatching(/ero-supervisor/), child_ids: ['W1'] }]);

    // Bulk assignment of what is left.
    await page.goto(`${base}/work/office`);
    expect(await page.locator('table.tasks tbody tr').count()).toBe(1);
    await page.locator('table.tasks tbody tr input[type=checkbox]').check();
    await page.selectOption('#assignee', 'demo-ero-officer');
    await page.getByRole('button', { name: 'Assign selected' }).click();
    expect(await page.getByRole('status').innerText()).toMatch(/selected tasks are assigned/);
    expect(await page.locator('table.tasks tbody tr').innerText()).toMatch(/demo-ero-officer/);
  });

  it('a supervisor decides an identity review pair with a reason', async () => {
    const page = await signIn('ero_supervisor');
    await page.goto(`${base}/review`);
    await check(page, 'review-queue');
    const pair = page.locator('tr', { hasText: 'ORR-T1' }).first();
    await pair.getByRole('link', { name: /Compare pair/ }).click();
    const fields = await page
      .locator('tr[data-field]')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-field')));
    expect(fields).toEqual(['given_names', 'surnames', 'dob', 'a_number', 'sex', 'country', 'record dates']);
    await check(page, 'review-pair');
    await page.getByLabel('Same child: link the two records').check();
    await page.fill('#reason', 'court file shows the same child');
    await page.getByRole('button', { name: 'Save decision' }).click();
    expect(await page.getByRole('status').innerText()).toMatch(/now linked as one child/);
    const audit = await t.db.query<{ actor: string }>(
      `SELECT actor FROM identity_audit WHERE action = 'decide'`,
    );
    expect(audit.map((a) => a.actor)).toEqual(['demo-ero-supervisor']);
    const decided = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'identity.decide'`,
    );
    expect(decided).toEqual([{ n: 1 }]);
  });

  it("the auditor's overview equals the report, and the child's record shows who read it", async () => {
    const page = await signIn('oversight_auditor');
    await page.goto(`${base}/?as_of=${AS_OF}`);
    const report = await buildReport(t.db, { asOf: AS_OF });
    const value = (key: string) => page.locator(`[data-figure="${key}"] .value`).innerText();
    expect(await value('children.released_to_sponsor')).toBe(String(report.children.released_to_sponsor));
    expect(await value('children.transferred_to_orr')).toBe(String(report.children.transferred_to_orr));
    expect(await value('no_nta_served')).toBe(String(report.no_nta_served));
    expect(report.children.transferred_to_orr).toBeGreaterThanOrEqual(3);
    await check(page, 'overview-auditor');

    await page.goto(`${base}/children/W1?purpose=oversight`);
    const log = page.locator('table[data-audit="who-accessed"] tbody tr');
    const entries = await log.allInnerTexts();
    expect(
      entries.some((e) => /demo-ero-supervisor\s+ERO supervisor\s+child\.read\s+Child safety/.test(e)),
    ).toBe(true);
    expect(entries.some((e) => /demo-oversight-auditor[\s\S]*child\.read\s+Oversight/.test(e))).toBe(true);
    await check(page, 'child-record-auditor');
    const rows = await t.db.query<{ actor_id: string; purpose: string }>(
      `SELECT actor_id, purpose FROM audit_log WHERE action = 'child.read' AND 'W1' = ANY(child_ids) ORDER BY seq`,
    );
    expect(rows).toEqual([
      { actor_id: 'demo-ero-supervisor', purpose: 'child_safety' },
      { actor_id: 'demo-oversight-auditor', purpose: 'oversight' },
    ]);
  });

  it('an ERO officer sees only its area, no sponsor for enforcement, and only its pages', async () => {
    const page = await signIn('ero_officer');
    expect(await navLabels(page)).toEqual(['My tasks', "My office's tasks", 'Recurring addresses']);
    await page.goto(`${base}/work/mine`);
    expect(await page.locator('table.tasks tbody tr').innerText()).toMatch(/W2/);
    await check(page, 'my-tasks');

    await page.goto(`${base}/children/W2?purpose=enforcement`);
    expect(await page.locator('[data-child]').innerText()).toBe('W2');
    expect(await page.getByRole('region', { name: 'ORR (care and release)' }).innerText()).not.toMatch(
      /SPONSOR-/,
    );
    expect(await page.locator('dl.facts').innerText()).toMatch(/Not shown for this purpose/);

    const refused = await page.goto(`${base}/children/W3?purpose=enforcement`);
    expect(refused?.status()).toBe(403);
    expect(await page.getByRole('alert').innerText()).toMatch(/outside your office's area/);
    const wrongPurpose = await page.goto(`${base}/children/W2?purpose=oversight`);
    expect(wrongPurpose?.status()).toBe(403);
    expect((await page.goto(`${base}/admin`))?.status()).toBe(403);
    expect(await page.getByRole('alert').innerText()).toMatch(/needs the user\.manage permission/);
    await check(page, 'not-allowed');

    await page.goto(`${base}/addresses?purpose=enforcement&min=2`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').innerText()).toMatch(
      /100 MAIN ST[\s\S]*W1[\s\S]*W2[\s\S]*Not shown for this purpose/,
    );
    await check(page, 'recurring-addresses');
  });

  it('an administrator replays a dead letter and changes a rule setting', async () => {
    const page = await signIn('administrator');
    expect(await navLabels(page)).toEqual([
      'Overview',
      'Identity review',
      'Notifications',
      'Children',
      'Feeds',
      'Administration',
    ]);
    await page.goto(`${base}/notifications?status=dead`);
    await check(page, 'notifications');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: /Send again: notification \d+/ }).click();
    expect(await page.getByRole('status').innerText()).toMatch(/will be sent again/);
    const [d] = await t.db.query<{ status: string }>(`SELECT status FROM notify_delivery`);
    expect(d!.status).toBe('pending');

    await page.goto(`${base}/admin`);
    await check(page, 'admin');
    const form = page.locator('form[data-rule="NO_NTA"]');
    await form.getByLabel('Days', { exact: true }).fill('45');
    await form.getByRole('button', { name: /Save settings/ }).click();
    expect(await page.getByRole('status').innerText()).toMatch(/rule setting is saved/);
    expect(
      await page.locator('form[data-rule="NO_NTA"]').getByLabel('Days', { exact: true }).inputValue(),
    ).toBe('45');
  });

  it('forms without the session CSRF token are refused, and signing out ends the session', async () => {
    const page = await signIn('orr_case_manager');
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const [task] = await t.db.query<{ id: string }>(
      `SELECT id::text AS id FROM task WHERE status = 'open' LIMIT 1`,
    );
    const forged = await fetch(`${base}/tasks/${task!.id}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: 'body=hello',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);

    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.goto(`${base}/work/mine`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await check(page, 'signed-out');
  });
});
