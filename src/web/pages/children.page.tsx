// The children behind a figure of the overview, a page at a time.
import type { VNode } from 'preact';
import { can } from '../../access/index.ts';
import { auditAct, childrenInScope, scopeOfActor } from '../../access/disclosure.ts';
import { FIGURE_NAMES, listFigureChildren, parseAsOf, parseFigure } from '../../reports/index.ts';
import { isoDate } from '../../shared/clock.ts';
import { count, usDate } from '../format.ts';
import { Pager } from '../page.tsx';
import type { WebPage } from '../web-page.ts';

const PAGE_SIZE = 50;

export const childrenPage: WebPage<{ figure?: string; as_of?: string; page?: number }> = {
  path: '/children',
  navLabel: 'Children',
  title: 'Children behind a figure',
  permission: 'report.read',
  query: {
    type: 'object',
    properties: {
      figure: { type: 'string', maxLength: 64 },
      as_of: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' },
      page: { type: 'integer', minimum: 1, maximum: 100000 },
    },
    additionalProperties: false,
  },
  async render({ db, clock }, query, ctx): Promise<VNode> {
    // Each child opens as its record for those who may read records (after stating a purpose).
    const mayOpen = ctx.actor === null || can(ctx.actor, 'child.read');
    const asOf = parseAsOf(query.as_of, isoDate(clock.now()));
    const figure = parseFigure(query.figure || 'children.in_scope');
    const page = query.page ?? 1;
    const counted = await listFigureChildren(db, { figure, asOf });
    // An ERO officer sees only the children of the office's area, whatever the figure counts; the
    // page of children shown is a disclosure, audited with their ids.
    const visible = new Set(
      await childrenInScope(
        db,
        scopeOfActor(ctx.actor),
        counted.map((c) => c.child_id),
      ),
    );
    const all = counted.filter((c) => visible.has(c.child_id));
    const shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    await db.transaction((tx) =>
      auditAct(tx, clock.now(), ctx.actor, null, {
        action: 'child.list',
        childIds: shown.map((c) => c.child_id),
        target: `figure:${figure}`,
        details: { as_of: asOf, page },
      }),
    );
    return (
      <>
        <form class="filters" method="get" action="/children">
          <div>
            <label for="figure">Figure</label>
            <select id="figure" name="figure">
              {FIGURE_NAMES.map((f) => (
                <option value={f} selected={f === figure} key={f}>
                  {f.replace(/[._]/g, ' ')}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="as_of">As of</label>
            <input id="as_of" name="as_of" type="date" value={asOf} />
          </div>
          <button type="submit">Show children</button>
        </form>
        <p>
          {count(all.length)} children
          {all.length < counted.length
            ? ` of ${count(counted.length)} (the rest are outside your area)`
            : ''}{' '}
          counted in <strong>{figure.replace(/[._]/g, ' ')}</strong> as of {usDate(asOf)}.
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">Child</th>
              <th scope="col">First transfer</th>
              <th scope="col">First release</th>
              <th scope="col">NTA served</th>
              <th scope="col">State</th>
              <th scope="col">ERO field office</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.child_id}>
                <td>
                  {mayOpen ? (
                    <a href={`/children/${encodeURIComponent(c.child_id)}`}>{c.child_id}</a>
                  ) : (
                    c.child_id
                  )}
                </td>
                <td>{usDate(c.first_transfer)}</td>
                <td>{usDate(c.first_release)}</td>
                <td>{usDate(c.first_served)}</td>
                <td>{c.state ?? '—'}</td>
                <td>{c.field_office ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager
          path="/children"
          page={page}
          pageSize={PAGE_SIZE}
          total={all.length}
          keep={{ figure, as_of: asOf }}
        />
      </>
    );
  },
};
