// The children behind a figure of the overview, a page at a time.
import type { VNode } from 'preact';
import { can } from '../../access/index.ts';
import type { RecordScope } from '../../access/policy.ts';
import { auditAct, childScopeSql, scopeOfActor } from '../../access/disclosure.ts';
import {
  FIGURE_NAMES,
  buildReport,
  figureValue,
  listFigureChildrenPage,
  parseAsOf,
  parseFigure,
} from '../../reports/index.ts';
import { isoDate } from '../../shared/clock.ts';
import { count, usDate } from '../format.ts';
import type { WebPage } from '../web-page.ts';

const PAGE_SIZE = 50;

export const childrenPage: WebPage<{ figure?: string; as_of?: string; after?: string; before?: string }> = {
  path: '/children',
  navLabel: 'Children',
  title: 'Children behind a figure',
  permission: 'report.read',
  query: {
    type: 'object',
    properties: {
      figure: { type: 'string', maxLength: 64 },
      as_of: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' },
      // Pages follow each other by child id: the page after the last child shown, or before the first.
      after: { type: 'string', minLength: 1, maxLength: 64 },
      before: { type: 'string', minLength: 1, maxLength: 64 },
    },
    additionalProperties: false,
  },
  async render({ db, clock }, query, ctx): Promise<VNode> {
    // Each child opens as its record for those who may read records (after stating a purpose).
    const mayOpen = ctx.actor === null || can(ctx.actor, 'child.read');
    const asOf = parseAsOf(query.as_of, isoDate(clock.now()));
    const figure = parseFigure(query.figure || 'children.in_scope');
    // One page, computed child by child in id order from the cursor: never every child of a large
    // figure. An ERO officer is shown only the children of the office's area; the page shown is a
    // disclosure, audited with the children's ids.
    const scope = scopeOfActor(ctx.actor);
    const before = query.after === undefined ? query.before : undefined;
    const rows = await listFigureChildrenPage(db, {
      figure,
      asOf,
      limit: PAGE_SIZE + 1,
      after: query.after,
      before,
      states: scope.kind === 'states' ? scope.states : undefined,
      where: (childId, param) => childScopeSql(scope, childId, param),
    });
    // One more than a page tells whether there is another page in the direction read.
    const extra = rows.length > PAGE_SIZE;
    const shown = before === undefined ? rows.slice(0, PAGE_SIZE) : rows.slice(-PAGE_SIZE);
    const hasPrevious = before === undefined ? query.after !== undefined : extra;
    const hasNext = before === undefined ? extra : true;
    const counted = figureValue(await buildReport(db, { asOf }), figure);
    await db.transaction((tx) =>
      auditAct(tx, clock.now(), ctx.actor, null, {
        action: 'child.list',
        childIds: shown.map((c) => c.child_id),
        target: `figure:${figure}`,
        details: { as_of: asOf, ...(query.after ? { after: query.after } : before ? { before } : {}) },
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
          {count(counted)} children counted in <strong>{figure.replace(/[._]/g, ' ')}</strong> as of{' '}
          {usDate(asOf)}.{SCOPE_NOTE[scope.kind]}
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
        <nav class="pager" aria-label="Pages">
          {hasPrevious ? <a href={pageHref(figure, asOf, {})}>First page</a> : null}
          {hasPrevious && shown.length > 0 ? (
            <a href={pageHref(figure, asOf, { before: shown[0]!.child_id })}>Previous page</a>
          ) : null}
          {hasNext && shown.length > 0 ? (
            <a href={pageHref(figure, asOf, { after: shown[shown.length - 1]!.child_id })}>Next page</a>
          ) : null}
        </nav>
      </>
    );
  },
};

const pageHref = (figure: string, asOf: string, cursor: { after?: string; before?: string }) =>
  `/children?${new URLSearchParams({ figure, as_of: asOf, ...cursor }).toString()}`;

// What the list leaves out for the viewer's record scope.
const SCOPE_NOTE: Record<RecordScope['kind'], string> = {
  all: '',
  states: ' Only those in your area are listed.',
  none: ' Your role sees the figures but not the children behind them.',
};
