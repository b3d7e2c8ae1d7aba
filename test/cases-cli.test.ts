import { describe, expect, it } from 'vitest';
import { bridge, dataDirWith, releasedChild } from './cli.ts';

describe('bridge child / alerts / rules', () => {
  it('every new command has --help', async () => {
    for (const cmd of [
      ['child', 'show'],
      ['alerts', 'list'],
      ['rules', 'list'],
      ['rules', 'run'],
      ['rules', 'set'],
    ]) {
      const res = await bridge([...cmd, '--help']);
      expect(res.status, cmd.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/Usage: bridge/);
    }
  });

  it('runs the rules for a date, lists the alerts as CSV and shows a child as JSON', async () => {
    const dir = await dataDirWith([releasedChild('CH7')]);
    const env = { BRIDGE_DATA_DIR: dir };
    const run = await bridge(['rules', 'run', '--as-of', '2020-06-01', '--json'], env);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ asOf: '2020-06-01', children: 1, opened: 1 });

    const csv = await bridge(['alerts', 'list', '--rule', 'NO_NTA', '--format', 'csv'], env);
    expect(csv.status, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'id,child_id,rule_id,severity,office_kinds,addr_state,opened_on,due_on,closed_on,close_reason,record_pks,details',
    );
    expect(lines[1]).toContain(',CH7,NO_NTA,high,');
    expect(csv.stderr).toMatch(/1 alert/);

    const show = await bridge(['child', 'show', 'CH7', '--as-of', '2020-01-05', '--json'], env);
    expect(show.status, show.stderr).toBe(0);
    const body = JSON.parse(show.stdout);
    expect(body.custody.status).toBe('in_orr_care');
    expect(body.timeline.map((t: { fact: string }) => t.fact)).toEqual(['ADMITTED_TO_ORR']);

    const bad = await bridge(['alerts', 'list', '--office', 'FBI'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--office must be/);
  }, 300_000);
});
