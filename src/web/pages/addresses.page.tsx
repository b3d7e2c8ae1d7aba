// Recurring addresses: places several children were released to, with the children and sponsors at
// each. A list of children, so it asks for a purpose, keeps to the reader's record scope, masks
// sponsors where the rules say so, and names every child it showed in the audit log.
import type { VNode } from 'preact';
import { appendAudit, maskFor, recordScope } from '../../access/index.ts';
import { DEFAULT_RECURRING_THRESHOLD } from '../../reports/index.ts';
import { count, usDateTime } from '../format.ts';
import { Pager } from '../page.tsx';
import type { WebPage } from '../web-page.ts';
import { recountRecurringAddresses, recurringAddresses, recurringCountedAt } from '../web.queries.ts';

const PAGE_SIZE = 25;
const RECOUNT_AFTER_MS = 15 * 60_000;

export const addressesPage: WebPage<{ state?: string; min?: number; page?: number }> = {
  path: '/addresses',
  navLabel: 'Recurring addresses',
  title: 'Recurring addresses',
  permission: 'child.list',
  asksPurpose: true,
  query: {
    type: 'object',
    properties: {
      state: { type: 'string', pattern: '^([A-Za-z]{2})?$' },
      min: { type: 'integer', minimum: 2, maximum: 1000 },
      page: { type: 'integer', minimum: 1, maximum: 100000 },
    },
    additionalProperties: false,
  },
  async render({ db, clock, log }, q, ctx): Promise<VNode> {
    const actor = ctx.actor!;
    // The count aggregates every release row: done once, then again in the background when stale,
    // so the page always answers from the counted table and says when it was counted.
    let countedAt = await recurringCountedAt(db);
    if (countedAt === null) {
      await recountRecurringAddresses(db, clock.now());
      countedAt = await recurringCountedAt(db);
    } else if (clock.now().getTime() - countedAt.getTime() > RECOUNT_AFTER_MS) {
      recountRecurringAddresses(db, clock.now()).catch((e: unknown) =>
        log?.error(
          { err: e instanceof Error ? e.message : String(e) },
          'recounting recurring addresses failed',
        ),
      );
    }
    const purpose = ctx.purpose!;
    const scope = recordScope(actor);
    const threshold = q.min ?? DEFAULT_RECURRING_THRESHOLD;
    const page = q.page ?? 1;
    const state = q.state ? q.state.toUpperCase() : null;
    const { total, rows } = await db.transaction(async (tx) => {
      const res = await recurringAddresses(tx, {
        threshold,
        states: scope.kind === 'states' ? scope.states : scope.kind === 'none' ? [] : null,
        state,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      });
      await appendAudit(tx, {
        at: clock.now(),
        actor,
        action: 'child.list',
        purpose,
        childIds: [...new Set(res.rows.flatMap((r) => r.child_ids))],
        target: 'recurring_addresses',
        details: { via: 'web', addresses: res.rows.length },
      });
      return res;
    });
    const shown = maskFor(actor, purpose, {
      sponsors: rows.map((r) => ({ ids: r.sponsor_ids })),
    });
    const sponsorsShown = 'sponsors' in shown;
    return (
      <>
        <p class="lead">
          Addresses that {threshold} or more children were released to by ORR, most children first.
          {scope.kind === 'states'
            ? ` Only addresses in your office's area (${scope.states.join(', ')}).`
            : ''}{' '}
          Counted {usDateTime(countedAt)}; counted again every {RECOUNT_AFTER_MS / 60_000} minutes while the
          page is in use.
        </p>
        <form class="filters" method="get" action="/addresses">
          <input type="hidden" name="purpose" value={purpose} />
          <div>
            <label for="state">State (two letters)</label>
            <input id="state" name="state" size={3} maxLength={2} value={state ?? ''} />
          </div>
          <div>
            <label for="min">At least this many children</label>
            <input id="min" name="min" type="number" min="2" max="1000" value={String(threshold)} />
          </div>
          <button type="submit">Show addresses</button>
        </form>
        <p>{count(total)} addresses.</p>
        <table>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col" class="num">
                Children
              </th>
              <th scope="col">Children released there</th>
              <th scope="col">Sponsors</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={`${r.addr_line}|${r.addr_unit}|${r.addr_zip5}`}>
                <td>
                  {r.addr_line}
                  {r.addr_unit ? ` ${r.addr_unit}` : ''}, {r.addr_city ?? ''} {r.addr_state ?? ''}{' '}
                  {r.addr_zip5}
                </td>
                <td class="num">{count(r.children)}</td>
                <td>
                  <ul>
                    {r.child_ids.slice(0, 20).map((id) => (
                      <li key={id}>
                        <a href={`/children/${encodeURIComponent(id)}?purpose=${purpose}`}>{id}</a>
                      </li>
                    ))}
                    {r.child_ids.length > 20 ? <li>and {r.child_ids.length - 20} more</li> : null}
                  </ul>
                </td>
                <td>
                  {sponsorsShown
                    ? shown.sponsors[i]!.ids.join(', ') || 'None recorded'
                    : 'Not shown for this purpose'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager
          path="/addresses"
          page={page}
          pageSize={PAGE_SIZE}
          total={total}
          keep={{ purpose, state: state ?? undefined, min: String(threshold) }}
        />
      </>
    );
  },
};
