// The report against the simulation's independent truth: simulate a small population, ingest its
// feeds, link rows with the true links (so identity's accuracy is not under test here), and compare
// every figure of the spec for several dates.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TruthReport } from '../simulate/index.ts';
import { loadSimulatedPopulation, type SimulatedPopulation } from '../simulate/testing.ts';
import { childScopeSql, childrenInScope } from '../access/index.ts';
import { FIGURE_NAMES, buildReport, listFigureChildren, listFigureChildrenPage } from './index.ts';

const DATES = ['2019-12-31', '2021-06-30', '2023-03-31', '2024-05-31'];
let t: SimulatedPopulation;

beforeAll(async () => {
  t = await loadSimulatedPopulation({ children: 400, seed: 11, asOf: '2024-05-31', truthDates: DATES });
}, 600_000);

afterAll(async () => {
  await t?.close();
});

describe('oversight report on a simulated population', () => {
  it.each(DATES)('equals the truth on every figure as of %s', async (asOf) => {
    const truth = JSON.parse(
      fs.readFileSync(path.join(t.dir, 'truth', `report-${asOf}.json`), 'utf8'),
    ) as TruthReport;
    const r = await buildReport(t.db, { asOf });
    expect(truth.children.in_scope).toBeGreaterThan(0);
    expect({
      as_of: r.as_of,
      children: r.children,
      no_nta_served: r.no_nta_served,
      nta_served_not_filed: r.nta_served_not_filed,
      failed_to_appear: r.failed_to_appear,
      in_absentia_orders: r.in_absentia_orders,
      address_defects: r.address_defects,
      recurring_addresses: r.recurring_addresses,
    }).toEqual({
      as_of: truth.as_of,
      children: truth.children,
      no_nta_served: truth.no_nta_served,
      nta_served_not_filed: truth.nta_served_not_filed,
      failed_to_appear: truth.failed_to_appear,
      in_absentia_orders: truth.in_absentia_orders,
      address_defects: truth.address_defects,
      recurring_addresses: truth.recurring_addresses,
    });
    const byFy = Object.fromEntries(
      Object.entries(r.by_fiscal_year).map(([fy, f]) => [
        fy,
        {
          transferred_to_orr: f.transferred_to_orr,
          released_to_sponsor: f.released_to_sponsor,
          fled_custody: f.fled_custody,
          no_nta_served: f.no_nta_served,
          nta_served_not_filed: f.nta_served_not_filed,
          failed_to_appear: f.failed_to_appear,
          in_absentia_orders: f.in_absentia_orders,
          address_defects: f.address_defects,
        },
      ]),
    );
    expect(byFy).toEqual(truth.by_fiscal_year);
    const drilled = await listFigureChildren(t.db, { figure: 'no_nta_served', asOf });
    expect(drilled).toHaveLength(truth.no_nta_served);
  });

  it('lists every figure a page at a time, forward and back, exactly as the whole drill-down lists it', async () => {
    const asOf = DATES[DATES.length - 1]!;
    for (const figure of FIGURE_NAMES) {
      const whole = await listFigureChildren(t.db, { figure, asOf });
      const paged = [];
      for (let after: string | undefined; ;) {
        const page = await listFigureChildrenPage(t.db, { figure, asOf, limit: 97, after });
        paged.push(...page);
        if (page.length < 97) break;
        after = page[page.length - 1]!.child_id;
      }
      expect(
        paged.map((c) => c.child_id),
        figure,
      ).toEqual(whole.map((c) => c.child_id));
      expect(paged, figure).toEqual(whole);
      const backward = [];
      for (let before = '\u{10FFFF}'; ;) {
        const page = await listFigureChildrenPage(t.db, { figure, asOf, limit: 97, before });
        backward.unshift(...page);
        if (page.length < 97) break;
        before = page[0]!.child_id;
      }
      expect(backward, figure).toEqual(whole);
    }
  });

  it("lists a figure's children in an area as the whole drill-down and record scope list them", async () => {
    const asOf = DATES[DATES.length - 1]!;
    const states = ['TX', 'CA'];
    let listed = 0;
    let outside = 0;
    for (const figure of ['no_nta_served', 'recurring_addresses.children', 'address_defects.missing_unit']) {
      const whole = await listFigureChildren(t.db, { figure, asOf });
      const inArea = await childrenInScope(
        t.db,
        { kind: 'states', states },
        whole.map((c) => c.child_id),
      );
      // By the state kept with the facts, by record scope as the records give it, and by both.
      const scope = { kind: 'states' as const, states };
      const where = (childId: string, param: (v: unknown) => string) => childScopeSql(scope, childId, param);
      for (const restrict of [{ states }, { where }, { states, where }]) {
        const paged = [];
        for (let after: string | undefined; ;) {
          const page = await listFigureChildrenPage(t.db, { figure, asOf, limit: 13, after, ...restrict });
          paged.push(...page);
          if (page.length < 13) break;
          after = page[page.length - 1]!.child_id;
        }
        expect(
          paged.map((c) => c.child_id),
          `${figure} ${Object.keys(restrict).join(' and ')}`,
        ).toEqual(inArea);
      }
      listed += inArea.length;
      outside += whole.length - inArea.length;
    }
    // The area keeps some children and leaves others out.
    expect(listed).toBeGreaterThan(0);
    expect(outside).toBeGreaterThan(0);
  });
});
