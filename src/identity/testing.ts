// Test helpers: small record tables built from one base record and per-row changes.
import { RecordTable, type LinkInput } from './record-table.ts';

export const baseRecord: Omit<LinkInput, 'pk' | 'recordId'> = {
  source: 'orr',
  aNumber: null,
  orrId: null,
  idncase: null,
  given: 'ANA',
  surname1: 'TZUL',
  surname2: 'CHOC',
  dob: '2008-05-01',
  sex: 'F',
  country: 'GTM',
  ownDate: '2022-01-10',
  eventType: 'ADMISSION',
};

/** A table of records numbered 1.., each the base record with its row's changes. */
export function recordTable(rows: Partial<LinkInput>[]): RecordTable {
  const t = new RecordTable();
  rows.forEach((r, k) => t.add({ ...baseRecord, pk: k + 1, recordId: `R${k + 1}`, ...r }));
  return t;
}
