// Overview: the oversight figures as of a chosen date, each opening the children behind it, with
// trends by month and fiscal year.
import type { VNode } from 'preact';
import {
  buildReport,
  monthlyTrend,
  OVERVIEW_TREND_MONTHS,
  parseAsOf,
  type Timeliness,
} from '../../reports/index.ts';
import { isoDate } from '../../shared/clock.ts';
import { BarChart } from '../bar-chart.tsx';
import { count, usDate } from '../format.ts';
import type { WebPage } from '../web-page.ts';

interface Figure {
  key: string;
  label: string;
  value: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const overviewPage: WebPage<{ as_of?: string }> = {
  path: '/',
  navLabel: 'Overview',
  title: 'Overview',
  permission: 'report.read',
  query: {
    type: 'object',
    properties: { as_of: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' } },
    additionalProperties: false,
  },
  async render({ db, clock }, query): Promise<VNode> {
    const asOf = parseAsOf(query.as_of, isoDate(clock.now()));
    const [report, trend] = await Promise.all([
      buildReport(db, { asOf }),
      monthlyTrend(db, asOf, OVERVIEW_TREND_MONTHS),
    ]);
    const figures: Figure[] = [
      { key: 'children.in_scope', label: 'Children known', value: report.children.in_scope },
      {
        key: 'children.transferred_to_orr',
        label: 'Transferred to ORR',
        value: report.children.transferred_to_orr,
      },
      {
        key: 'children.released_to_sponsor',
        label: 'Released to a sponsor',
        value: report.children.released_to_sponsor,
      },
      {
        key: 'children.fled_custody',
        label: 'Left ORR care without release',
        value: report.children.fled_custody,
      },
      {
        key: 'no_nta_served',
        label: 'Released, never served a Notice to Appear',
        value: report.no_nta_served,
      },
      {
        key: 'nta_served_not_filed',
        label: 'Notice served, not filed with the court',
        value: report.nta_served_not_filed,
      },
      { key: 'failed_to_appear', label: 'Missed a court hearing', value: report.failed_to_appear },
      { key: 'in_absentia_orders', label: 'Ordered removed in absentia', value: report.in_absentia_orders },
      { key: 'address_defects.blank', label: 'Address blank', value: report.address_defects.blank },
      { key: 'address_defects.invalid', label: 'Address invalid', value: report.address_defects.invalid },
      {
        key: 'address_defects.missing_unit',
        label: 'Address missing an apartment number',
        value: report.address_defects.missing_unit,
      },
      {
        key: 'address_defects.undeliverable',
        label: 'Court mail returned undeliverable',
        value: report.address_defects.undeliverable,
      },
      {
        key: 'recurring_addresses.children',
        label: 'Released to an address shared by many children',
        value: report.recurring_addresses.children,
      },
    ];
    const years = Object.entries(report.by_fiscal_year).sort(([a], [b]) => a.localeCompare(b));
    return (
      <>
        <p class="lead">
          The figures the Inspector General had to assemble by hand, counted in children, as the agencies'
          records stood on {usDate(asOf)}.
        </p>
        <form class="filters" method="get" action="/">
          <div>
            <label for="as_of">As of</label>
            <input id="as_of" name="as_of" type="date" value={asOf} />
          </div>
          <button type="submit">Show figures</button>
        </form>
        <section aria-labelledby="figures-h">
          <h2 id="figures-h">Figures as of {usDate(asOf)}</h2>
          <div class="figures">
            {figures.map((f) => (
              <div class="figure" key={f.key} data-figure={f.key}>
                <div class="value">{count(f.value)}</div>
                <div class="label">
                  <a href={`/children?figure=${encodeURIComponent(f.key)}&as_of=${asOf}`}>{f.label}</a>
                </div>
              </div>
            ))}
          </div>
        </section>

        <h2>Children by month (last 12 months)</h2>
        <BarChart
          title="Children released to a sponsor per month"
          bars={trend.map((t) => ({ label: MONTHS[Number(t.month.slice(5)) - 1]!, value: t.released }))}
        />
        <table>
          <caption>Children per month</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col" class="num">
                First transferred to ORR
              </th>
              <th scope="col" class="num">
                First released
              </th>
              <th scope="col" class="num">
                First missed hearing
              </th>
            </tr>
          </thead>
          <tbody>
            {trend.map((t) => (
              <tr key={t.month}>
                <th scope="row">{`${MONTHS[Number(t.month.slice(5)) - 1]} ${t.month.slice(0, 4)}`}</th>
                <td class="num">{count(t.transferred)}</td>
                <td class="num">{count(t.released)}</td>
                <td class="num">{count(t.failed_to_appear)}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2>By fiscal year of first transfer</h2>
        <BarChart
          title="Children transferred to ORR by fiscal year"
          bars={years.map(([fy, f]) => ({ label: `FY${fy.slice(2)}`, value: f.transferred_to_orr }))}
        />
        <table>
          <thead>
            <tr>
              <th scope="col">Fiscal year</th>
              <th scope="col" class="num">
                Transferred to ORR
              </th>
              <th scope="col" class="num">
                Released
              </th>
              <th scope="col" class="num">
                Never served an NTA
              </th>
              <th scope="col" class="num">
                Missed a hearing
              </th>
            </tr>
          </thead>
          <tbody>
            {years.map(([fy, f]) => (
              <tr key={fy}>
                <th scope="row">FY{fy}</th>
                <td class="num">{count(f.transferred_to_orr)}</td>
                <td class="num">{count(f.released_to_sponsor)}</td>
                <td class="num">{count(f.no_nta_served)}</td>
                <td class="num">{count(f.failed_to_appear)}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2>How quickly each step followed</h2>
        <table>
          <caption>Days between steps, for steps taken by {usDate(asOf)}</caption>
          <thead>
            <tr>
              <th scope="col">From → to</th>
              <th scope="col" class="num">
                Measured
              </th>
              <th scope="col" class="num">
                Median days
              </th>
              <th scope="col" class="num">
                9 in 10 within (days)
              </th>
              <th scope="col" class="num">
                Still waiting
              </th>
            </tr>
          </thead>
          <tbody>
            {TIMELINESS_ROWS.map(([key, label]) => {
              const t = report.timeliness[key];
              return (
                <tr key={key} data-timeliness={key}>
                  <th scope="row" title={t.definition}>
                    {label}
                  </th>
                  <td class="num">
                    {t.tasks === undefined
                      ? counted(t.children, 'child', 'children')
                      : counted(t.tasks, 'task', 'tasks')}
                  </td>
                  <td class="num">{days(t.median_days)}</td>
                  <td class="num">{days(t.p90_days)}</td>
                  <td class="num">{t.waiting === undefined ? '' : count(t.waiting)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </>
    );
  },
};

const TIMELINESS_ROWS: [keyof Timeliness, string][] = [
  ['release_to_nta_served', 'Released → Notice to Appear served'],
  ['nta_served_to_filed', 'Notice served → filed with the court'],
  ['missed_hearing_to_orr_notified', 'Missed a hearing → ORR told'],
  ['alert_to_task_closed', 'Gap found → task closed'],
];

const counted = (n: number | null, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`;

const days = (d: number | null) => (d === null ? 'none yet' : d.toLocaleString('en-US'));
