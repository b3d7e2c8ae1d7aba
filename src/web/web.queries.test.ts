// The recurring-address table the web page reads: counted from ORR release rows, in children.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { ReportFixture, admission, release } from '../reports/report-fixture.ts';
import { addRecord } from '../work/testing.ts';
import { recountRecurringAddresses, recurringAddresses, recurringCountedAt } from './web.queries.ts';

const ELM = { line: '9 ELM ST', unit: 'APT 2', city: 'DALLAS', state: 'TX', zip: '75201' };
const OAK = { line: '4 OAK AVE', unit: null, city: 'MIAMI', state: 'FL', zip: '33125' };

describe('recurring addresses', () => {
  let t: TestDb;
  const list = (o: Partial<Parameters<typeof recurringAddresses>[1]> = {}) =>
    recurringAddresses(t.db, { threshold: 2, states: null, state: null, limit: 10, offset: 0, ...o });
  beforeAll(async () => {
    t = await createTestDb();
    await new ReportFixture()
      .add('R1', admission('2024-01-01'), release('2024-02-01', ELM))
      // Released twice to the same address: still one child.
      .add('R2', admission('2024-01-02'), release('2024-02-02', ELM), release('2024-05-02', ELM))
      .add('R3', admission('2024-01-03'), release('2024-02-03', { ...ELM, unit: 'apt 2 ' }))
      .add('R4', admission('2024-01-04'), release('2024-02-04', OAK))
      .add('R5', admission('2024-01-05'), release('2024-02-05', OAK))
      .add('R6', admission('2024-01-06'), release('2024-02-06', { ...OAK, line: '5 OAK AVE' }))
      .insert(t.db);
    await t.db.query(`UPDATE record SET sponsor_id = 'S-' || record_id WHERE event_type = 'RELEASE'`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts distinct children per address, most first, and keeps to the states asked for', async () => {
    expect(await recurringCountedAt(t.db)).toBeNull();
    expect(await recountRecurringAddresses(t.db, new Date('2024-07-01T12:00:00Z'))).toBe(true);
    expect(await recurringCountedAt(t.db)).toEqual(new Date('2024-07-01T12:00:00Z'));
    const all = await list();
    expect(all.total).toBe(2);
    expect(all.rows.map((r) => [r.addr_line, r.addr_unit, r.children, r.child_ids])).toEqual([
      ['9 ELM ST', 'APT 2', 3, ['R1', 'R2', 'R3']],
      ['4 OAK AVE', '', 2, ['R4', 'R5']],
    ]);
    expect(all.rows[0]!.sponsor_ids).toHaveLength(4);
    const three = await list({ threshold: 3 });
    expect(three.rows.map((r) => r.addr_line)).toEqual(['9 ELM ST']);
    const fl = await list({ states: ['FL'] });
    expect(fl.rows.map((r) => r.addr_line)).toEqual(['4 OAK AVE']);
    const page2 = await list({ state: 'TX', limit: 1, offset: 1 });
    expect(page2).toEqual({ total: 1, rows: [] });
  });

  it('a recount replaces the previous count', async () => {
    await addRecord(t.db, 'R7', {
      eventType: 'RELEASE',
      ownDate: '2024-04-01',
      line: OAK.line,
      state: 'FL',
      zip5: OAK.zip,
    });
    await recountRecurringAddresses(t.db, new Date('2024-07-01T13:00:00Z'));
    const all = await list();
    expect(all.rows.map((r) => [r.addr_line, r.children])).toEqual([
      ['4 OAK AVE', 3],
      ['9 ELM ST', 3],
    ]);
  });
});
