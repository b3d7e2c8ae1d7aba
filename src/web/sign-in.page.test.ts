import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { seedDemoUsers, type DemoLogin } from '../access/index.ts';
import { launchBrowser, newPage, screenshot, seriousAxeViolations } from '../../test/web/browser.ts';

describe('web: signing in, with access control on (Chromium)', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let logins: DemoLogin[];
  beforeAll(async () => {
    t = await createTestDb();
    const clock = fixedClock('2024-07-01T12:00:00Z');
    logins = await seedDemoUsers({ db: t.db, clock });
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

  const login = (role: string) => logins.find((l) => l.role === role)!;

  it('a visitor is sent to sign in, then back to the page asked for', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/feeds`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');

    await page.fill('#username', login('oversight_auditor').username);
    await page.fill('#password', 'not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').innerText()).toMatch(/was not accepted/);

    await page.fill('#username', login('oversight_auditor').username);
    await page.fill('#password', login('oversight_auditor').password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL(page.url()).pathname).toBe('/feeds');
    expect(await page.title()).toBe('Agency feeds · UC Bridge');
  });

  it('a role without the permission is refused the page on the server', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/login`);
    await page.fill('#username', login('ero_officer').username);
    await page.fill('#password', login('ero_officer').password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(403);
  });

  it('the sign-in form never redirects off the site', async () => {
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        username: login('oversight_auditor').username,
        password: login('oversight_auditor').password,
        next: '//evil.example/',
      }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });
});
