// Feeds: what each agency last sent, rows received per day, and rows held back with the reason.
import type { VNode } from 'preact';
import { openQuarantine, rowsPerDay, sourceStatus, SOURCES } from '../../feeds/feed-status.queries.ts';
import { count, usDate, usDateTime } from '../format.ts';
import { Pager } from '../page.tsx';
import type { WebPage } from '../web-page.ts';

const AGENCY: Record<string, string> = {
  cbp: 'CBP border encounters',
  ice: 'ICE custody transfers',
  orr: 'ORR care and release',
  opla: 'OPLA Notices to Appear',
  eoir: 'Immigration court (EOIR)',
};

const PAGE_SIZE = 25;

export const feedsPage: WebPage<{ source?: string; page?: number }> = {
  path: '/feeds',
  navLabel: 'Feeds',
  title: 'Agency feeds',
  permission: 'report.read',
  query: {
    type: 'object',
    properties: {
      source: { type: 'string', enum: [...SOURCES, ''] },
      page: { type: 'integer', minimum: 1, maximum: 100000 },
    },
    additionalProperties: false,
  },
  async render({ db, clock }, query): Promise<VNode> {
    const page = query.page ?? 1;
    const source = query.source || undefined;
    const [status, daily, quarantined] = await Promise.all([
      sourceStatus(db),
      rowsPerDay(db, clock.now(), 14),
      openQuarantine(db, { source, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    ]);
    const days = [...new Set(daily.map((d) => d.day))];
    const perDay = new Map(daily.map((d) => [`${d.day}|${d.source}`, d.rows]));
    return (
      <>
        <p class="lead">What each agency system has sent, and the rows that could not be read.</p>
        <table>
          <caption>Last received, by source</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Last row received</th>
              <th scope="col" class="num">
                Records held
              </th>
              <th scope="col" class="num">
                Versions received
              </th>
              <th scope="col" class="num">
                Rows held back
              </th>
            </tr>
          </thead>
          <tbody>
            {status.map((s) => (
              <tr key={s.source}>
                <th scope="row">{AGENCY[s.source]}</th>
                <td>{s.last_received_at ? usDateTime(s.last_received_at) : 'nothing yet'}</td>
                <td class="num">{count(s.current_records)}</td>
                <td class="num">{count(s.versions)}</td>
                <td class="num">{count(s.open_quarantine)}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2>Rows received per day (last 14 days)</h2>
        {days.length === 0 ? (
          <p>No rows were received in the last 14 days.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {SOURCES.map((s) => (
                  <th scope="col" class="num" key={s}>
                    {s.toUpperCase()}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d}>
                  <th scope="row">{usDate(d)}</th>
                  {SOURCES.map((s) => (
                    <td class="num" key={s}>
                      {count(perDay.get(`${d}|${s}`) ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}

        <h2 id="held-back">Rows held back</h2>
        <p>
          A row that could not be read is held back with the reason; the rest of its file was loaded. When the
          agency sends the row again, corrected, it replaces the held-back one.
        </p>
        <form class="filters" method="get" action="/feeds#held-back">
          <div>
            <label for="source">Source</label>
            <select id="source" name="source">
              <option value="">All sources</option>
              {SOURCES.map((s) => (
                <option value={s} selected={s === source} key={s}>
                  {AGENCY[s]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Show</button>
        </form>
        {quarantined.total === 0 ? (
          <p>No rows are held back{source ? ` from ${AGENCY[source]}` : ''}.</p>
        ) : (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Source</th>
                  <th scope="col">File or request, line</th>
                  <th scope="col">Record id</th>
                  <th scope="col">Why it was held back</th>
                </tr>
              </thead>
              <tbody>
                {quarantined.rows.map((q) => (
                  <tr key={q.id}>
                    <td>{usDateTime(q.received_at)}</td>
                    <td>{q.source.toUpperCase()}</td>
                    <td>
                      {q.origin}, line {q.line}
                    </td>
                    <td>{q.record_id ?? '—'}</td>
                    <td>
                      <ul>
                        {q.reasons.map((r, i) => (
                          <li key={i}>{r.field ? `${r.field}: ${r.reason}` : r.reason}</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              path="/feeds"
              page={page}
              pageSize={PAGE_SIZE}
              total={quarantined.total}
              keep={{ source }}
            />
          </>
        )}
      </>
    );
  },
};
