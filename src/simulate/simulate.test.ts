import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate, type SimulateSummary } from './simulate.ts';
import { columns, allFiles, type Source } from './feed-layout.ts';
import { defaultNoise } from './noise.ts';
import { transfersByFiscalYear } from './calibration.ts';
import { fiscalYear, isoToDay, usToDay } from './dates.ts';

const CHILDREN = 4000;
let dir: string;
let summary: SimulateSummary;

interface ReadRow {
  file: string;
  line: number;
  source: Source;
  values: Record<string, string>;
  fieldCount: number;
  headerCount: number;
}

function readCsv(file: string): string[][] {
  let buf = fs.readFileSync(file);
  if (file.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  return parse(buf, { bom: true, relax_column_count: true }) as string[][];
}

/** Every row of every feed file, in the order an ingest would read them (file names sorted). */
function readFeeds(d: string): ReadRow[] {
  const out: ReadRow[] = [];
  const names = fs
    .readdirSync(d)
    .filter((f) => /^(cbp|ice|orr|opla|eoir)_/.test(f))
    .sort();
  for (const name of names) {
    const source = name.split('_')[0] as Source;
    const [header, ...rows] = readCsv(path.join(d, name));
    const h = header!.map((c) => c.toLowerCase());
    rows.forEach((cells, i) => {
      const values: Record<string, string> = {};
      h.forEach((c, k) => (values[c] = cells[k] ?? ''));
      out.push({ file: name, line: i + 2, source, values, fieldCount: cells.length, headerCount: h.length });
    });
  }
  return out;
}

const idColumn: Record<Source, string> = {
  cbp: 'encounter_id',
  ice: 'transfer_id',
  orr: 'orr_record_id',
  opla: 'nta_id',
  eoir: 'eoir_event_id',
};

/** Why a row cannot be read under spec/feeds.md, or null (the checks the ingest must make). */
function unreadable(r: ReadRow): string | null {
  if (r.fieldCount !== r.headerCount) return 'field_count';
  const v = r.values;
  const iso = (s: string | undefined) =>
    !s ||
    (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(isoToDay(s)) && new Date(s).toISOString().startsWith(s));
  const us = (s: string | undefined) =>
    !s || (/^\d{2}\/\d{2}\/\d{4}$/.test(s) && iso(`${s.slice(6)}-${s.slice(0, 2)}-${s.slice(3, 5)}`));
  const req = (...f: string[]) => f.every((x) => v[x] !== '');
  switch (r.source) {
    case 'cbp':
      if (!iso(v.birth_date) || !iso(v.encounter_date)) return 'bad_date';
      if (!['M', 'F', 'X', 'U'].includes(v.sex!) || !['Y', 'N'].includes(v.uc_designation!))
        return 'unknown_code';
      return req('family_name', 'given_name', 'birth_date', 'citizenship') ? null : 'missing_field';
    case 'ice':
      if (!us(v.dob)) return 'bad_date';
      if (!['MALE', 'FEMALE', 'UNKNOWN'].includes(v.gender!)) return 'unknown_code';
      return req('a_number', 'subject_name', 'dob') ? null : 'missing_field';
    case 'orr':
      if (!us(v.child_dob) || !us(v.event_date)) return 'bad_date';
      if (
        !['ADMISSION', 'RELEASE', 'RUNAWAY', 'SAFETY_CALL', 'ADDRESS_UPDATE', 'DISCHARGE_OTHER'].includes(
          v.event_type!,
        )
      )
        return 'unknown_code';
      return req('orr_uc_id', 'child_first_name', 'child_last_name', 'child_dob') ? null : 'missing_field';
    case 'opla':
      if (!iso(v.dob) || !iso(v.issued_date) || !iso(v.served_date) || !iso(v.filed_date)) return 'bad_date';
      if (!['', 'PERSONAL', 'MAIL'].includes(v.service_method!)) return 'unknown_code';
      return req('a_number', 'respondent_name', 'dob') ? null : 'missing_field';
    case 'eoir':
      if (!iso(v.event_date)) return 'bad_date';
      if (
        ![
          'CASE_OPENED',
          'HEARING_SCHEDULED',
          'HEARING_RESULT',
          'NOTICE_RETURNED',
          'ADDRESS_CHANGE',
          'CHANGE_OF_VENUE',
          'CASE_COMPLETED',
        ].includes(v.event_type!)
      )
        return 'unknown_code';
      return req('a_number', 'last_name', 'first_name', 'idncase', 'court_code') ? null : 'missing_field';
  }
}

function readTruth(name: string): Record<string, string>[] {
  return parse(fs.readFileSync(path.join(dir, 'truth', name)), { columns: true }) as Record<string, string>[];
}

let rows: ReadRow[];
let finals: Map<string, ReadRow>;
let links: Map<string, string>;
let kids: Record<string, string>[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
  summary = await simulate({
    outDir: dir,
    children: CHILDREN,
    seed: 42,
    truthDates: ['2021-09-30', '2024-05-31'],
  });
  rows = readFeeds(dir);
  finals = new Map();
  const malformedLines = new Set(readTruth('malformed.csv').map((m) => `${m.file}:${m.line}`));
  for (const r of rows) {
    if (malformedLines.has(`${r.file}:${r.line}`)) continue;
    finals.set(`${r.source}:${r.values[idColumn[r.source]]}`, r);
  }
  links = new Map(readTruth('links.csv').map((l) => [`${l.source}:${l.record_id}`, l.child_id!]));
  kids = readTruth('children.csv');
}, 300_000);

describe('simulate: files and determinism', () => {
  it('writes the five sources in the formats of feeds.md, split, overlapping, reordered, one gzipped', () => {
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual([...allFiles().map((f) => f.name), 'truth'].sort());
    for (const f of allFiles()) {
      const header = readCsv(path.join(dir, f.name))[0]!;
      const expected = columns[f.source];
      expect(new Set(header.filter((h) => h !== 'extract_batch'))).toEqual(new Set(expected));
      if (f.name.includes('_02') && !f.name.includes('corrections')) {
        expect(header).toContain('extract_batch');
        expect(header).not.toEqual(expected);
      }
    }
    expect(fs.readFileSync(path.join(dir, 'ice_transfers_01.csv')).subarray(0, 3)).toEqual(
      Buffer.from([0xef, 0xbb, 0xbf]),
    );
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'eoir_events_02.csv.gz'))).length).toBeGreaterThan(
      1000,
    );
  });

  it('gives the same bytes for the same seed, and other bytes for another seed', async () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
    await simulate({ outDir: again, children: 600, seed: 9 });
    const first = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
    await simulate({ outDir: first, children: 600, seed: 9 });
    await simulate({ outDir: other, children: 600, seed: 10 });
    const files = [
      ...allFiles().map((f) => f.name),
      ...['links.csv', 'children.csv', 'report.json', 'rules.json', 'malformed.csv', 'noise.json'].map(
        (f) => `truth/${f}`,
      ),
    ];
    for (const f of files) {
      expect(fs.readFileSync(path.join(again, f)).equals(fs.readFileSync(path.join(first, f))), f).toBe(true);
    }
    expect(
      fs
        .readFileSync(path.join(other, 'orr_events_01.csv'))
        .equals(fs.readFileSync(path.join(first, 'orr_events_01.csv'))),
    ).toBe(false);
  });

  it('lists exactly the unreadable rows in truth/malformed.csv, each with its reason', () => {
    const listed = new Map(readTruth('malformed.csv').map((m) => [`${m.file}:${m.line}`, m]));
    expect(listed.size).toBeGreaterThan(0);
    for (const r of rows) {
      const why = unreadable(r);
      const m = listed.get(`${r.file}:${r.line}`);
      if (m) {
        expect(why, `${r.file}:${r.line}`).toBe(m.kind);
        expect(r.values[idColumn[r.source]] || r.values[idColumn[r.source]] === '').toBeTruthy();
      } else expect(why, `${r.file}:${r.line} ${JSON.stringify(r.values)}`).toBeNull();
    }
    expect(new Set([...listed.values()].map((m) => m.kind))).toEqual(
      new Set(['bad_date', 'unknown_code', 'missing_field', 'field_count']),
    );
  });

  it('links every in-scope readable row to one true child, and nothing else', () => {
    let inScope = 0;
    for (const [key, r] of finals) {
      const outOfScope = r.source === 'cbp' && r.values.uc_designation === 'N';
      expect(links.has(key), key).toBe(!outOfScope);
      if (!outOfScope) inScope++;
    }
    expect(links.size).toBe(inScope);
    const ids = new Set(kids.map((k) => k.child_id));
    for (const child of links.values()) expect(ids.has(child)).toBe(true);
    expect([...finals.values()].some((r) => r.values.uc_designation === 'N')).toBe(true);
  });

  it('keeps ORR ids per child and A-numbers on every ICE, OPLA and EOIR row', () => {
    const orrIds = new Map<string, Set<string>>();
    for (const [key, r] of finals) {
      const child = links.get(key);
      if (!child) continue;
      if (r.source === 'orr') {
        if (!orrIds.has(child)) orrIds.set(child, new Set());
        orrIds.get(child)!.add(r.values.orr_uc_id!);
      }
      if (r.source === 'ice' || r.source === 'opla' || r.source === 'eoir')
        expect(r.values.a_number).toMatch(/^(A-?)?\d{3}-?\d{3}-?\d{3}$|^\d{8}$/);
    }
    for (const ids of orrIds.values()) expect(ids.size).toBe(1);
    // No two children share an A-number.
    const aNumbers = kids.flatMap((k) => [k.a_number, k.a_number_2].filter(Boolean));
    expect(new Set(aNumbers).size).toBe(aNumbers.length);
  });
});

describe('simulate: the population follows the real one', () => {
  const share = (xs: Record<string, string>[], f: (x: Record<string, string>) => boolean) =>
    xs.filter(f).length / xs.length;

  it('spreads children over fiscal years in proportion to real transfers', () => {
    const total = Object.values(transfersByFiscalYear).reduce((a, b) => a + b, 0);
    for (const [fy, n] of Object.entries(transfersByFiscalYear)) {
      expect(share(kids, (k) => k.fiscal_year === fy)).toBeCloseTo(n / total, 2);
    }
  });

  it('has the real mix of sex, age, country and path', () => {
    expect(share(kids, (k) => k.sex === 'M')).toBeGreaterThan(0.66);
    expect(share(kids, (k) => k.sex === 'M')).toBeLessThan(0.74);
    const byCountry = new Map<string, number>();
    for (const k of kids) byCountry.set(k.country!, (byCountry.get(k.country!) ?? 0) + 1);
    const order = [...byCountry].sort((a, b) => b[1] - a[1]).map((e) => e[0]);
    expect(order.slice(0, 3)).toEqual(['GTM', 'HND', 'SLV']);
    // Age at encounter, from the CBP rows: ~84% aged 13-17, ~33% aged 17.
    const byId = new Map(kids.map((k) => [k.child_id!, k]));
    const ages: number[] = [];
    for (const [key, r] of finals) {
      if (r.source !== 'cbp' || !links.has(key)) continue;
      const kid = byId.get(links.get(key)!);
      ages.push(Math.floor((isoToDay(r.values.encounter_date!) - isoToDay(kid!.dob!)) / 365.25));
    }
    const teen = ages.filter((a) => a >= 13 && a <= 17).length / ages.length;
    expect(teen).toBeGreaterThan(0.8);
    expect(teen).toBeLessThan(0.88);
    expect(ages.every((a) => a < 18)).toBe(true);
    expect(share(kids, (k) => k.transferred === 'Y')).toBeGreaterThan(0.92);
    expect(share(kids, (k) => k.runaway === 'Y')).toBeGreaterThan(0.003);
    expect(share(kids, (k) => k.aged_out === 'Y')).toBeGreaterThan(0.005);
    expect(share(kids, (k) => k.reencountered === 'Y')).toBeGreaterThan(0.003);
  });

  it('keeps the legal clocks: transfers mostly within 72 hours, safety calls after 30 days', () => {
    const ice = [...finals.values()].filter((r) => r.source === 'ice');
    const within = ice.filter(
      (r) =>
        Date.parse(r.values.transfer_date_time + 'Z') - Date.parse(r.values.book_in_date_time + 'Z') <=
        72 * 3600_000,
    ).length;
    expect(within / ice.length).toBeGreaterThan(0.83);
    expect(within / ice.length).toBeLessThan(0.93);
    const releases = new Map<string, number[]>();
    const calls: [string, number][] = [];
    let released = 0;
    for (const r of finals.values()) {
      if (r.source !== 'orr') continue;
      const day = usToDay(r.values.event_date!);
      if (r.values.event_type === 'RELEASE') {
        released++;
        releases.set(r.values.orr_uc_id!, [...(releases.get(r.values.orr_uc_id!) ?? []), day]);
      }
      if (r.values.event_type === 'SAFETY_CALL') calls.push([r.values.orr_uc_id!, day]);
    }
    expect(calls.length / released).toBeGreaterThan(0.6);
    expect(calls.length / released).toBeLessThan(0.74);
    for (const [id, day] of calls) {
      // The call follows the release before it by 30 days or more.
      const before = (releases.get(id) ?? []).filter((d) => d <= day);
      if (before.length) expect(day - Math.max(...before)).toBeGreaterThanOrEqual(30);
    }
  });

  it('keeps children in ORR care about a month in FY2022-FY2023, longer in FY2019-FY2020', () => {
    const admitted = new Map<string, number>();
    const released = new Map<string, number>();
    for (const r of finals.values()) {
      if (r.source !== 'orr') continue;
      const day = usToDay(r.values.event_date!);
      const id = r.values.orr_uc_id!;
      if (r.values.event_type === 'ADMISSION') admitted.set(id, Math.min(admitted.get(id) ?? Infinity, day));
      if (r.values.event_type === 'RELEASE') released.set(id, Math.min(released.get(id) ?? Infinity, day));
    }
    const stays = new Map<number, number[]>();
    for (const [id, a] of admitted) {
      const d = released.get(id);
      if (d === undefined) continue;
      const fy = fiscalYear(a);
      stays.set(fy, [...(stays.get(fy) ?? []), d - a]);
    }
    const mean = (fy: number) => stays.get(fy)!.reduce((x, y) => x + y, 0) / stays.get(fy)!.length;
    expect(mean(2022)).toBeGreaterThan(24);
    expect(mean(2022)).toBeLessThan(40);
    expect(mean(2023)).toBeLessThan(40);
    expect(mean(2019)).toBeGreaterThan(mean(2022));
  });

  it('matches the OIG figures: ~65% never served an NTA, ~7% failed to appear, ~7% bad release addresses', () => {
    const r = summary.report;
    expect(r.no_nta_served / r.children.released_to_sponsor).toBeGreaterThan(0.6);
    expect(r.no_nta_served / r.children.released_to_sponsor).toBeLessThan(0.7);
    expect(r.failed_to_appear / r.children.transferred_to_orr).toBeGreaterThan(0.05);
    expect(r.failed_to_appear / r.children.transferred_to_orr).toBeLessThan(0.09);
    const d = r.address_defects;
    const bad = (d.blank + d.undeliverable + d.missing_unit) / r.children.released_to_sponsor;
    expect(bad).toBeGreaterThan(0.05);
    expect(bad).toBeLessThan(0.09);
    expect(d.invalid).toBeGreaterThan(0);
    expect(r.recurring_addresses.addresses).toBeGreaterThan(0);
    expect(r.recurring_addresses.children / r.recurring_addresses.addresses).toBeGreaterThanOrEqual(5);
  });

  it('releases most children to Texas, California and Florida, to all four sponsor categories', () => {
    const states = new Map<string, number>();
    const categories = new Set<string>();
    for (const r of finals.values()) {
      if (r.source !== 'orr' || r.values.event_type !== 'RELEASE') continue;
      states.set(r.values.state!, (states.get(r.values.state!) ?? 0) + 1);
      categories.add(r.values.sponsor_relationship!);
    }
    const top = [...states].sort((a, b) => b[1] - a[1]).map((e) => e[0]);
    expect(top[0]).toBe('TX');
    expect(top.slice(0, 4)).toContain('CA');
    expect(categories).toEqual(new Set(['1', '2A', '2B', '3']));
  });

  it('gives the NTA and the court the address of the day they wrote it, not one the child moved to later', () => {
    const key = (v: Record<string, string>) => `${v.street}|${v.unit}|${v.zip}`.toUpperCase();
    const moves = new Map<string, { day: number; to: string }>();
    for (const [k, r] of finals) {
      if (r.source !== 'orr' || r.values.event_type !== 'ADDRESS_UPDATE') continue;
      moves.set(links.get(k)!, { day: usToDay(r.values.event_date!), to: key(r.values) });
    }
    let before = 0;
    let after = 0;
    for (const [k, r] of finals) {
      const move = moves.get(links.get(k) ?? '');
      if (!move || r.source !== 'opla' || !r.values.street) continue;
      if (isoToDay(r.values.issued_date!) < move.day) {
        before++;
        expect(key(r.values), `NTA ${r.values.nta_id} issued before the move`).not.toBe(move.to);
      } else after++;
    }
    // Both cases occur: NTAs written before a move (left behind: drift) and after it.
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
  });

  it('writes a report per truth date, each counting only what was dated by then', () => {
    const early = JSON.parse(fs.readFileSync(path.join(dir, 'truth/report-2021-09-30.json'), 'utf8'));
    const late = JSON.parse(fs.readFileSync(path.join(dir, 'truth/report-2024-05-31.json'), 'utf8'));
    expect(late).toEqual(JSON.parse(fs.readFileSync(path.join(dir, 'truth/report.json'), 'utf8')));
    expect(early.children.in_scope).toBeLessThan(late.children.in_scope);
    expect(Object.keys(early.by_fiscal_year)).toEqual(['2019', '2020', '2021']);
    // In scope by a date = children with any row dated on or before it (counted here from the feeds).
    const first = new Map<string, number>();
    for (const [key, r] of finals) {
      const child = links.get(key);
      if (!child) continue;
      const d =
        r.source === 'cbp'
          ? r.values.encounter_date!
          : r.source === 'ice'
            ? r.values.transfer_date_time!.slice(0, 10)
            : r.source === 'orr'
              ? r.values.event_date!
              : r.source === 'opla'
                ? r.values.issued_date!
                : r.values.event_date!;
      const day = r.source === 'orr' ? usToDay(d) : isoToDay(d);
      first.set(child, Math.min(first.get(child) ?? Infinity, day));
    }
    expect([...first.values()].filter((d) => d <= isoToDay('2021-09-30')).length).toBe(
      early.children.in_scope,
    );
    expect(fiscalYear(isoToDay('2021-09-30'))).toBe(2021);
  });
});

describe('simulate: noise', () => {
  it('applies every noise kind near its configured rate', () => {
    const noise = JSON.parse(fs.readFileSync(path.join(dir, 'truth/noise.json'), 'utf8')) as Record<
      string,
      { rate: number; opportunities: number; applied: number }
    >;
    expect(Object.keys(noise).sort()).toEqual(Object.keys(defaultNoise).sort());
    for (const [kind, n] of Object.entries(noise)) {
      expect(n.rate, kind).toBe(defaultNoise[kind as keyof typeof defaultNoise]);
      expect(n.applied, kind).toBeGreaterThan(0);
      const sigma = Math.sqrt(n.opportunities * n.rate * (1 - n.rate));
      expect(Math.abs(n.applied - n.opportunities * n.rate), kind).toBeLessThan(4 * sigma + 2);
    }
  });

  it('shows the noise in the rows themselves: blank, prefixed and mistyped A-numbers, swapped dates, forms of surnames', () => {
    const byId = new Map(kids.map((k) => [k.child_id!, k]));
    let cbp = 0;
    let blank = 0;
    let swapped = 0;
    let typos = 0;
    let prefixed = 0;
    let paternalOnly = 0;
    let hyphen = 0;
    for (const [key, r] of finals) {
      const kid = byId.get(links.get(key) ?? '');
      if (!kid) continue;
      if (r.source === 'cbp') {
        cbp++;
        if (!r.values.a_number) blank++;
        const [y, m, d] = kid.dob!.split('-');
        if (r.values.birth_date === `${y}-${d}-${m}` && m !== d) swapped++;
        if (r.values.family_name === kid.surname1!.normalize('NFD').replace(/\p{M}/gu, '')) paternalOnly++;
        if (r.values.family_name!.includes('-')) hyphen++;
      }
      const a = r.values.a_number?.replace(/\D/g, '').padStart(9, '0');
      if (a && a !== kid.a_number && a !== kid.a_number_2) typos++;
      if (r.values.a_number?.startsWith('A')) prefixed++;
    }
    expect(blank / cbp).toBeGreaterThan(0.015);
    expect(blank / cbp).toBeLessThan(0.05);
    expect(swapped).toBeGreaterThan(0);
    expect(typos).toBeGreaterThan(0);
    expect(prefixed).toBeGreaterThan(0);
    expect(paternalOnly / cbp).toBeGreaterThan(0.1);
    expect(hyphen).toBeGreaterThan(0);
  });

  it('sends some rows again unchanged and corrects others in a later file', () => {
    const versions = new Map<string, ReadRow[]>();
    for (const r of rows) {
      // A row with a field missing cannot be read by column (its id may sit under another header).
      if (r.fieldCount !== r.headerCount) continue;
      const key = `${r.source}:${r.values[idColumn[r.source]]}`;
      if (!versions.has(key)) versions.set(key, []);
      versions.get(key)!.push(r);
    }
    const canon = (r: ReadRow) => JSON.stringify(columns[r.source].map((c) => r.values[c]));
    let resent = 0;
    let corrected = 0;
    for (const vs of versions.values()) {
      if (vs.length < 2) continue;
      if (new Set(vs.map(canon)).size === 1) resent++;
      else {
        corrected++;
        // The newest version comes from a file read after the first one.
        expect(vs[vs.length - 1]!.file > vs[0]!.file).toBe(true);
      }
    }
    expect(resent).toBeGreaterThan(0);
    expect(corrected).toBeGreaterThan(0);
  });

  it('has twins who look alike but are different children with different A-numbers', () => {
    const groups = new Map<string, Record<string, string>[]>();
    for (const k of kids.filter((k) => k.relation === 'twin')) {
      if (!groups.has(k.group_id!)) groups.set(k.group_id!, []);
      groups.get(k.group_id!)!.push(k);
    }
    expect(groups.size).toBeGreaterThan(3);
    for (const [a, b] of groups.values()) {
      expect(a!.dob).toBe(b!.dob);
      expect(`${a!.surname1} ${a!.surname2}`).toBe(`${b!.surname1} ${b!.surname2}`);
      expect(a!.given_name).not.toBe(b!.given_name);
      expect(a!.child_id).not.toBe(b!.child_id);
      expect(a!.a_number).not.toBe(b!.a_number);
    }
  });
});
