// Options of the drill commands, and where their scratch databases go.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type { Where } from './kill-drills.ts';

export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number of 0 or more`);
  return v;
}

/**
 * `--engine postgres` (default when DATABASE_URL is set): scratch databases on that server, named
 * DRILL_DATABASE_PREFIX (default bridge_drill_) and dropped at the end; `--engine pglite`: folders
 * under the system's temporary directory.
 */
export function whereArg(): Where {
  const i = process.argv.indexOf('--engine');
  const engine = i >= 0 ? process.argv[i + 1] : process.env.DATABASE_URL ? 'postgres' : 'pglite';
  if (engine === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-drill-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    return { dir };
  }
  if (engine !== 'postgres') throw new Error('--engine must be postgres or pglite');
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  return { adminUrl, prefix: process.env.DRILL_DATABASE_PREFIX ?? 'bridge_drill_' };
}

export function report(result: { passed: boolean; lines: string[] }): void {
  process.stdout.write(result.lines.join('\n') + '\n');
  process.exitCode = result.passed ? 0 : 1;
}
