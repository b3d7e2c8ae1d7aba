// Runs the real `bridge` command in a child process, as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPglite } from '../src/db/pglite.ts';
import { migrate } from '../src/db/migrate.ts';
import { Facts } from '../src/cases/testing.ts';
import { loadFixtureChildren, type FixtureChild } from '../src/cases/db-fixtures.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BRIDGE = path.join(ROOT, 'bin', 'bridge.js');
// `serve` refuses to start without a real secret; tests that check the refusal pass undefined.
const TEST_SECRET = crypto.randomBytes(32).toString('hex');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bridge ARGS` to completion. Asynchronous, so the test runner stays responsive while the
 * command opens its database.
 */
export function bridge(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BRIDGE, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: undefined, BRIDGE_SESSION_SECRET: TEST_SECRET, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export function bridgeProcess(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, [BRIDGE, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: undefined, BRIDGE_SESSION_SECRET: TEST_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first match of `pattern` in the process's stderr. */
export function waitForStderr(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; stderr: ${buf}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = buf.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}; stderr: ${buf}`));
    });
  });
}

/** A new data folder whose embedded database is migrated and holds `children`, for commands to open. */
export async function dataDirWith(children: readonly FixtureChild[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-cli-'));
  const db = await openPglite({ dataDir: dir });
  try {
    await migrate(db);
    await loadFixtureChildren(db, children);
  } finally {
    await db.close();
  }
  return dir;
}

/**
 * A child admitted to ORR care on 2020-01-02 and released to a sponsor in Houston on 2020-01-10,
 * never served a Notice to Appear.
 */
export function releasedChild(childId: string): FixtureChild {
  const f = new Facts();
  f.admission('2020-01-02');
  f.release('2020-01-10');
  return { childId, records: f.records };
}
