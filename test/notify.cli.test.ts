import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridge } from './cli.ts';

describe('bridge subscriptions and deliveries', () => {
  // Each run starts a process and opens the embedded database: slow on a busy machine.
  it('notify commands have --help', { timeout: 300_000 }, async () => {
    for (const cmd of [
      ['subscriptions', 'add'],
      ['deliveries', 'list'],
    ]) {
      const res = await bridge([...cmd, '--help']);
      expect(res.status, cmd.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/Usage: bridge/);
    }
  });

  it(
    'adds a webhook subscription, shows its secret once, lists it without the secret, removes it and enables it again',
    { timeout: 300_000 },
    async () => {
      const env = { BRIDGE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-notify-')) };
      const add = await bridge(
        [
          'subscriptions',
          'add',
          '--agency',
          'EOIR',
          '--name',
          'EOIR case system',
          '--webhook',
          'https://eoir.example/hooks',
          '--events',
          'child.failed_to_appear,child.address_changed',
          '--state',
          'tx',
        ],
        env,
      );
      expect(add.status, add.stderr).toBe(0);
      const secret = add.stdout.trim();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
      expect(add.stderr).toMatch(/subscription 1 added for EOIR/);

      const list = await bridge(['subscriptions', 'list', '--format', 'json'], env);
      expect(list.status).toBe(0);
      expect(JSON.parse(list.stdout)).toMatchObject([
        {
          id: 1,
          agency: 'EOIR',
          states: ['TX'],
          event_types: ['child.failed_to_appear', 'child.address_changed'],
        },
      ]);
      expect(list.stdout).not.toContain(secret.slice(6));

      const dead = await bridge(['deliveries', 'list', '--status', 'dead', '--format', 'csv'], env);
      expect(dead.status).toBe(0);
      expect(dead.stdout.split('\n')[0]).toMatch(
        /^id,subscription_id,agency,channel,event_type,status,attempts/,
      );

      const missing = await bridge(['deliveries', 'replay', '42'], env);
      expect(missing.status).toBe(66);
      expect(missing.stderr.trim()).toBe('bridge: no delivery 42');

      expect((await bridge(['subscriptions', 'remove', '1'], env)).status).toBe(0);
      const after = JSON.parse((await bridge(['subscriptions', 'list', '--json'], env)).stdout);
      expect(after[0]).toMatchObject({ status: 'disabled', disabled_reason: 'removed' });

      const enabled = await bridge(['subscriptions', 'enable', '1'], env);
      expect(enabled.status).toBe(0);
      expect(enabled.stderr + enabled.stdout).toContain('subscription 1 enabled');
      const again = JSON.parse((await bridge(['subscriptions', 'list', '--json'], env)).stdout);
      expect(again[0]).toMatchObject({ status: 'active', disabled_reason: null });
      expect((await bridge(['subscriptions', 'enable', '9'], env)).stderr.trim()).toBe(
        'bridge: no subscription 9',
      );
    },
  );
});
