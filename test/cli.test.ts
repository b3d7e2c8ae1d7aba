import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridge, bridgeProcess, waitForStderr } from './cli.ts';

const tmpData = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-cli-'));

describe('bridge CLI', () => {
  it('--help lists the commands, and every command has --help', async () => {
    const res = await bridge(['--help']);
    expect(res.status).toBe(0);
    for (const cmd of ['db', 'serve', 'worker', 'demo']) expect(res.stdout).toContain(cmd);
    for (const cmd of [['db', 'status'], ['db', 'migrate'], ['serve'], ['worker'], ['demo']]) {
      const sub = await bridge([...cmd, '--help']);
      expect(sub.status, cmd.join(' ')).toBe(0);
      expect(sub.stdout).toMatch(/Usage: bridge/);
    }
  });

  it('db status on a fresh data folder lists pending migrations; JSON goes to stdout alone', async () => {
    const dir = tmpData();
    const before = await bridge(['db', 'status', '--json'], { BRIDGE_DATA_DIR: dir });
    expect(before.status).toBe(0);
    const rows = JSON.parse(before.stdout) as { migration: string; status: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'pending')).toBe(true);
    expect(before.stderr).toMatch(/0 applied/);

    expect((await bridge(['db', 'migrate'], { BRIDGE_DATA_DIR: dir })).status).toBe(0);
    const csv = await bridge(['db', 'status', '--format', 'csv'], { BRIDGE_DATA_DIR: dir });
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('migration,status,applied_at');
    expect(lines.slice(1).every((l) => l.includes(',applied,'))).toBe(true);
  });

  it('a user error is one clear line with a non-zero exit, and a stack trace only with --debug', async () => {
    const env = { DATABASE_URL: 'mysql://nope' };
    const res = await bridge(['db', 'status'], env);
    expect(res.status).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toEqual([
      'bridge: DATABASE_URL must start with postgres:// or postgresql://',
    ]);
    const dbg = await bridge(['db', 'status', '--debug'], env);
    expect(dbg.stderr).toMatch(/at .*config\.ts/);
  });

  it('an unreachable server is reported plainly', async () => {
    const res = await bridge(['db', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(
      /^bridge: cannot connect to the PostgreSQL server at postgres:\/\/postgres@127\.0\.0\.1:1\/none/,
    );
  });

  it('serve answers health checks and stops gracefully on SIGTERM', async () => {
    const dir = tmpData();
    const child = bridgeProcess(['serve', '--port', '0'], { BRIDGE_DATA_DIR: dir, BRIDGE_LOG_LEVEL: 'warn' });
    const [, url] = await waitForStderr(child, /at (http:\/\/\S+) /);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The data folder is released for the next command.
    expect(fs.existsSync(path.join(dir, 'bridge.lock'))).toBe(false);
  });

  it('a second command on a data folder in use says so', async () => {
    const dir = tmpData();
    const child = bridgeProcess(['serve', '--port', '0'], { BRIDGE_DATA_DIR: dir });
    await waitForStderr(child, /at http:\/\//);
    try {
      const res = await bridge(['db', 'status'], { BRIDGE_DATA_DIR: dir });
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/is in use by process \d+/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  });
});
