// Single sign-on against a real OpenID Connect provider (oidc-provider) started on loopback: code
// flow with PKCE, the role claim mapped to a role, the account created once, every sign-in audited,
// and refusals for an unmapped claim, a callback not started here and a forged state.
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import Provider from 'oidc-provider';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { systemClock } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import { seedDemoUsers } from './manage-users.ts';
import { discoverOidc, oidcSettingsFromEnv } from './oidc.ts';

const REDIRECT = 'http://127.0.0.1:8080/auth/oidc/callback';
// The provider's people: their agency role claim and office.
const PEOPLE: Record<string, Record<string, string>> = {
  'maria.ero': { preferred_username: 'maria.ero', bridge_role: 'ICE-ERO-DO', office: 'ERO:Houston' },
  'sam.visitor': { preferred_username: 'sam.visitor', bridge_role: 'CONTRACTOR' },
};

describe('OpenID Connect settings', () => {
  const base = {
    BRIDGE_OIDC_ISSUER: 'https://idp.example',
    BRIDGE_OIDC_CLIENT_ID: 'bridge',
    BRIDGE_OIDC_CLIENT_SECRET: 's',
    BRIDGE_OIDC_REDIRECT_URI: REDIRECT,
    BRIDGE_OIDC_ROLE_MAP: 'ORR-CM=orr_case_manager, ICE-ERO-DO=ero_officer',
  };
  it('are off without an issuer, and read the claim-to-role map', () => {
    expect(oidcSettingsFromEnv({})).toBeNull();
    expect(oidcSettingsFromEnv(base)).toMatchObject({
      roleClaim: 'bridge_role',
      roleMap: { 'ORR-CM': 'orr_case_manager', 'ICE-ERO-DO': 'ero_officer' },
    });
  });
  it('refuse a missing secret and a mapping to an unknown role, naming the variable', () => {
    expect(() => oidcSettingsFromEnv({ ...base, BRIDGE_OIDC_CLIENT_SECRET: '' })).toThrow(
      /BRIDGE_OIDC_CLIENT_SECRET must be set/,
    );
    expect(() => oidcSettingsFromEnv({ ...base, BRIDGE_OIDC_ROLE_MAP: 'X=king' })).toThrow(
      /BRIDGE_OIDC_ROLE_MAP: "X=king"/,
    );
  });
  it('refuse a plain-http provider that is not on this machine', async () => {
    const s = oidcSettingsFromEnv({ ...base, BRIDGE_OIDC_ISSUER: 'http://idp.example' })!;
    await expect(discoverOidc(s)).rejects.toThrow(BridgeError);
  });
});

describe('single sign-on with a real provider', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let idp: http.Server;
  let issuer = '';
  let signingInAs = 'maria.ero';

  beforeAll(async () => {
    idp = http.createServer();
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'bridge',
          client_secret: 'bridge-test-secret-0123456789abcdef',
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      pkce: { required: () => true },
      claims: { openid: ['sub'], profile: ['preferred_username', 'bridge_role', 'office'] },
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...PEOPLE[id] }) }),
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
      ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
    });
    const handle = provider.callback();
    // The provider's sign-in page: the person is `signingInAs`, who consents to openid and profile.
    idp.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!req.url?.startsWith('/interaction/')) return void handle(req, res);
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({
          accountId: signingInAs,
          clientId: String(details.params.client_id),
        });
        grant.addOIDCScope('openid profile');
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: signingInAs }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      })().catch((e: Error) => {
        res.statusCode = 500;
        res.end(e.message);
      });
    });

    t = await createTestDb();
    await seedDemoUsers({ db: t.db, clock: systemClock }); // offices
    const settings = oidcSettingsFromEnv({
      BRIDGE_OIDC_ISSUER: issuer,
      BRIDGE_OIDC_CLIENT_ID: 'bridge',
      BRIDGE_OIDC_CLIENT_SECRET: 'bridge-test-secret-0123456789abcdef',
      BRIDGE_OIDC_REDIRECT_URI: REDIRECT,
      BRIDGE_OIDC_ROLE_MAP: 'ICE-ERO-DO=ero_officer',
      BRIDGE_OIDC_OFFICE_CLAIM: 'office',
    })!;
    app = await buildServer(
      { db: t.db, log: silentLog, clock: systemClock },
      {
        access: {
          secrets: { sessionSecret: crypto.randomBytes(32).toString('hex'), demo: false },
          oidc: { settings, config: await discoverOidc(settings) },
        },
      },
    );
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  /** Follows the provider's redirects as a browser would, until it sends the browser back here. */
  async function throughProvider(start: string): Promise<URL> {
    const jar = new Map<string, string>();
    let url = start;
    for (let i = 0; i < 10; i++) {
      const res = await fetch(url, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const at = pair!.indexOf('=');
        jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`provider answered ${res.status}: ${await res.text()}`);
      const next = new URL(location, url);
      if (next.href.startsWith(REDIRECT)) return next;
      url = next.href;
    }
    throw new Error('too many redirects');
  }

  async function signIn(next = '/feeds') {
    const start = await app.inject(`/auth/oidc/login?next=${encodeURIComponent(next)}`);
    expect(start.statusCode).toBe(303);
    const pending = start.cookies.find((c) => c.name === 'bridge_oidc')!;
    expect(pending).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const authorize = new URL(String(start.headers.location));
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const back = await throughProvider(authorize.href);
    return { back, pending: pending.value };
  }

  it('signs a person in with the role and office their claims map to, and audits it', async () => {
    signingInAs = 'maria.ero';
    const { back, pending } = await signIn('/feeds');
    const done = await app.inject({ url: back.pathname + back.search, cookies: { bridge_oidc: pending } });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/feeds');
    const session = done.cookies.find((c) => c.name === 'bridge_session')!;
    const me = await app.inject({ url: '/api/v1/auth/me', cookies: { bridge_session: session.value } });
    expect(me.json()).toMatchObject({
      username: 'sso-maria.ero',
      role: 'ero_officer',
      office: 'ERO:Houston',
    });
    // A second sign-in reuses the account.
    const again = await signIn('/');
    expect(
      (
        await app.inject({
          url: again.back.pathname + again.back.search,
          cookies: { bridge_oidc: again.pending },
        })
      ).statusCode,
    ).toBe(303);
    const users = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM app_user WHERE oidc_subject = $1`,
      [`${issuer}|maria.ero`],
    );
    expect(users[0]!.n).toBe(1);
    const audit = await t.db.query<{ actor_id: string; details: { method: string } }>(
      `SELECT actor_id, details FROM audit_log WHERE action = 'auth.login' ORDER BY seq`,
    );
    expect(audit.map((a) => [a.actor_id, a.details.method])).toEqual([
      ['sso-maria.ero', 'oidc'],
      ['sso-maria.ero', 'oidc'],
    ]);
  });

  it('refuses a person whose role claim maps to no role, creating no account', async () => {
    signingInAs = 'sam.visitor';
    const { back, pending } = await signIn();
    const res = await app.inject({ url: back.pathname + back.search, cookies: { bridge_oidc: pending } });
    expect(res.statusCode).toBe(403);
    expect(res.cookies.find((c) => c.name === 'bridge_session')).toBeUndefined();
    expect((await t.db.query(`SELECT 1 FROM app_user WHERE username = 'sso-sam.visitor'`)).length).toBe(0);
  });

  it('refuses a callback that was not started here, and a forged state', async () => {
    signingInAs = 'maria.ero';
    const { back, pending } = await signIn();
    const noCookie = await app.inject(back.pathname + back.search);
    expect(noCookie.statusCode).toBe(401);
    const forged = new URL(back.href);
    forged.searchParams.set('state', 'forged-state');
    const res = await app.inject({ url: forged.pathname + forged.search, cookies: { bridge_oidc: pending } });
    expect(res.statusCode).toBe(401);
    expect(res.cookies.find((c) => c.name === 'bridge_session')).toBeUndefined();
  });
});
