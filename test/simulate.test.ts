import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridge } from './cli.ts';

describe('bridge simulate', () => {
  it('writes the feeds and the truth, with progress on stderr and a JSON summary on stdout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-simulate-'));
    const res = await bridge([
      'simulate',
      dir,
      '--children',
      '300',
      '--seed',
      '5',
      '--truth-dates',
      '2022-01-01,2024-05-31',
      '--json',
    ]);
    expect(res.stderr).toMatch(/wrote 300 children/);
    expect(res.status).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.children).toBe(300);
    expect(fs.existsSync(path.join(dir, 'orr_events_01.csv'))).toBe(true);
    for (const f of [
      'links.csv',
      'children.csv',
      'malformed.csv',
      'report.json',
      'report-2022-01-01.json',
      'report-2024-05-31.json',
      'rules.json',
      'rules-2022-01-01.json',
      'rules-2024-05-31.json',
    ])
      expect(fs.existsSync(path.join(dir, 'truth', f)), f).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'truth', 'report.json'), 'utf8')).as_of).toBe(
      '2024-05-31',
    );
  });

  it.each([
    [['--children', 'many'], /--children must be a whole number/],
    [['--noise', 'extreme'], /--noise must be default or heavy/],
    [['--as-of', '2024-02-30'], /not a date/],
    [['--from-fy', '2023', '--to-fy', '2019'], /fiscal years/],
  ])('refuses %j with a usage error', async (args, message) => {
    const res = await bridge(['simulate', fs.mkdtempSync(path.join(os.tmpdir(), 'cli-simulate-')), ...args]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});
