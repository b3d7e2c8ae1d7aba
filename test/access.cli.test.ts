// The access commands as an operator runs them: demo users, tokens, the secret check, and
// `bridge audit verify` catching an entry edited or deleted directly in the database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../src/db/pglite.ts';
import { verifyAudit } from '../src/access/audit.ts';
import { bridge, dataDirWith, releasedChild } from './cli.ts';

// These tests set the session secret themselves (or leave it out to see the refusal).
const run = (args: string[], env: Record<string, string | undefined>, input?: string) =>
  bridge(args, { BRIDGE_SESSION_SECRET: undefined, ...env }, input);

const tmpData = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-access-'));

async function tamper(dir: string, sql: string) {
  const db = await openPglite({ dataDir: dir });
  try {
    await db.exec(
      `ALTER TABLE audit_log DISABLE TRIGGER USER; ${sql}; ALTER TABLE audit_log ENABLE TRIGGER USER;`,
    );
  } finally {
    await db.close();
  }
}

describe('bridge users, tokens and audit', () => {
  it('serve refuses to start outside demo mode without a real secret, in one line', async () => {
    for (const secret of [undefined, 'changeme']) {
      const res = await run(['serve', '--port', '0'], {
        BRIDGE_DATA_DIR: tmpData(),
        BRIDGE_SESSION_SECRET: secret,
      });
      expect(res.status).toBe(78);
      expect(res.stderr.trim().split('\n')).toEqual([
        'bridge: BRIDGE_SESSION_SECRET must be set to a random value of at least 32 characters (or run "bridge demo")',
      ]);
    }
  });

  it('seeds demo users, makes a token shown once and revokes it, and audit verify catches edits and deletions', async () => {
    const dir = tmpData();
    const env = { BRIDGE_DATA_DIR: dir };
    const seed = await run(['users', 'seed-demo'], env);
    expect(seed.status).toBe(0);
    expect(seed.stderr.trim().split('\n')).toHaveLength(7);
    expect(seed.stderr).toMatch(/demo-ero-officer\s+\S{20}\s+\(ero_officer, ERO:Houston\)/);

    const tok = await run(
      ['tokens', 'create', 'cbp-push', '--permission', 'feed.push', '--resource', 'cbp', '--agency', 'CBP'],
      env,
    );
    expect(tok.status).toBe(0);
    const secret = tok.stdout.trim();
    expect(secret).toMatch(/^ucb_/);
    const list = await run(['tokens', 'list', '--json'], env);
    expect(list.stdout).not.toContain(secret);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'cbp-push', resource: 'cbp', revoked_at: null }),
    ]);
    const tokenId = (JSON.parse(list.stdout) as { id: number | string }[])[0]!.id;
    const revoke = await run(['tokens', 'revoke', String(tokenId)], env);
    expect(revoke.status, revoke.stderr).toBe(0);
    expect(revoke.stderr).toContain(`token ${tokenId} revoked`);
    const revoked = JSON.parse((await run(['tokens', 'list', '--json'], env)).stdout) as {
      revoked_at: unknown;
    }[];
    expect(revoked[0]!.revoked_at).not.toBeNull();
    // A token is revoked once; a second revocation and a bad id are refused in words.
    const twice = await run(['tokens', 'revoke', String(tokenId)], env);
    expect(twice.status).not.toBe(0);
    expect(twice.stderr.trim()).toBe(`bridge: no active token ${tokenId}`);
    const bad = await run(['tokens', 'revoke', 'cbp-push'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/token id must be a number, got "cbp-push"/);

    const add = await run(
      ['users', 'add', 'officer2', '--role', 'ero_officer', '--office', 'ERO:Houston'],
      env,
      'a-long-synthetic-pass\n',
    );
    expect(add.status).toBe(0);
    expect((await run(['users', 'lock', 'officer2'], env)).status).toBe(0);
    const users = JSON.parse((await run(['users', 'list', '--json'], env)).stdout) as {
      username: string;
      locked: boolean;
    }[];
    expect(users.find((u) => u.username === 'officer2')?.locked).toBe(true);

    const ok = await run(['audit', 'verify'], env);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/audit log intact: 5 entries/);

    await tamper(dir, `UPDATE audit_log SET target = 'someone' WHERE seq = 2`);
    const edited = await run(['audit', 'verify'], env);
    expect(edited.status).not.toBe(0);
    expect(edited.stderr).toMatch(/entry 2: entry 2 was changed after it was written/);

    await tamper(dir, `DELETE FROM audit_log WHERE seq = 5`);
    const removed = await run(['audit', 'verify', '--json'], env);
    expect(removed.status).not.toBe(0);
    expect(JSON.parse(removed.stdout).problems).toContainEqual(
      expect.objectContaining({ problem: 'head_mismatch' }),
    );
  }, 600_000);

  it('audits child show, report children and export links under the command-line user', async () => {
    const dir = await dataDirWith([releasedChild('CLI-1')]);
    const env = { BRIDGE_DATA_DIR: dir, BRIDGE_USER: 'analyst7' };
    const show = await run(['child', 'show', 'CLI-1', '--purpose', 'oversight', '--json'], env);
    expect(show.status).toBe(0);
    const list = await run(
      ['report', 'children', '--figure', 'released_to_sponsor', '--as-of', '2020-06-01'],
      env,
    );
    expect(list.status).toBe(0);
    const exp = await run(['export', 'links'], env);
    expect(exp.status).toBe(0);
    expect(exp.stdout).toContain('CLI-1');

    const check = await openPglite({ dataDir: dir });
    try {
      const rows = await check.query<{
        actor_type: string;
        actor_id: string;
        action: string;
        purpose: string;
        child_ids: string[];
      }>(`SELECT actor_type, actor_id, action, purpose, child_ids FROM audit_log ORDER BY seq`);
      expect(rows).toEqual([
        {
          actor_type: 'cli',
          actor_id: 'cli:analyst7',
          action: 'child.read',
          purpose: 'oversight',
          child_ids: ['CLI-1'],
        },
        {
          actor_type: 'cli',
          actor_id: 'cli:analyst7',
          action: 'child.list',
          purpose: 'oversight',
          child_ids: ['CLI-1'],
        },
        {
          actor_type: 'cli',
          actor_id: 'cli:analyst7',
          action: 'child.export',
          purpose: 'administration',
          child_ids: ['CLI-1'],
        },
      ]);
      expect((await verifyAudit(check)).ok).toBe(true);
    } finally {
      await check.close();
    }
  }, 600_000);
});
