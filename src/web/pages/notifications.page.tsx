// Notifications: every delivery to an agency system or mailbox, newest first; the failures and dead
// letters at a glance, and a button that sends a dead letter again.
import type { VNode } from 'preact';
import { DELIVERY_STATUSES, replayDeadLetter } from '../../notify/index.ts';
import { auditedChange, numberParam } from '../audited-change.ts';
import { CsrfField } from '../page.tsx';
import { count, usDateTime, words } from '../format.ts';
import type { WebAction, WebPage } from '../web-page.ts';
import { COUNT_CAP, COUNTED_DELIVERY_STATUSES, deliveryCounts, deliveryPage } from '../web.queries.ts';

const PAGE_SIZE = 50;

const STATUS_LABELS: Record<string, string> = {
  pending: 'Waiting to be sent',
  delivering: 'Being sent',
  delivered: 'Delivered',
  dead: 'Failed: gave up (dead letter)',
  digest: 'Held for the daily digest',
  digested: 'Sent in a digest',
};

export const notificationsPage: WebPage<{ status?: string; before?: number }> = {
  path: '/notifications',
  navLabel: 'Notifications',
  title: 'Notifications',
  permission: 'notify.manage',
  query: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['', ...DELIVERY_STATUSES] },
      before: { type: 'integer', minimum: 1 },
    },
    additionalProperties: false,
  },
  async render({ db }, q, ctx): Promise<VNode> {
    const status = q.status || null;
    const [counts, rows] = await Promise.all([
      deliveryCounts(db),
      deliveryPage(db, { status, before: q.before ?? null, limit: PAGE_SIZE + 1 }),
    ]);
    const shown = rows.slice(0, PAGE_SIZE);
    const more = rows.length > PAGE_SIZE ? shown[shown.length - 1]!.id : null;
    const href = (before: number | null) => {
      const p = new URLSearchParams();
      if (status) p.set('status', status);
      if (before) p.set('before', String(before));
      const s = p.toString();
      return s ? `/notifications?${s}` : '/notifications';
    };
    return (
      <>
        <p class="lead">
          Messages to agency systems (webhooks) and staff (mail), with every attempt's result. A message that
          failed too many times becomes a dead letter and can be sent again.
        </p>
        <dl class="summary">
          {COUNTED_DELIVERY_STATUSES.map((s) => (
            <div key={s} data-summary={s}>
              <dt>{STATUS_LABELS[s]}</dt>
              <dd>{(counts[s] ?? 0) > COUNT_CAP ? `${count(COUNT_CAP)} or more` : count(counts[s] ?? 0)}</dd>
            </div>
          ))}
        </dl>
        <form class="filters" method="get" action="/notifications">
          <div>
            <label for="status">Status</label>
            <select id="status" name="status">
              <option value="">Any</option>
              {DELIVERY_STATUSES.map((s) => (
                <option value={s} selected={status === s} key={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Show notifications</button>
        </form>
        {shown.length === 0 ? <p>No notifications match.</p> : null}
        {shown.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Created</th>
                <th scope="col">To</th>
                <th scope="col">About</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.id} data-delivery={d.id}>
                  <td>{d.id}</td>
                  <td>{usDateTime(d.created_at)}</td>
                  <td>
                    {d.subscription} ({d.agency}, {d.channel})
                  </td>
                  <td>{words(d.event_type)}</td>
                  <td>
                    {STATUS_LABELS[d.status] ?? d.status}
                    {d.delivered_at ? <div class="note">{usDateTime(d.delivered_at)}</div> : null}
                  </td>
                  <td class="num">
                    {d.attempts} of {d.max_attempts}
                  </td>
                  <td>
                    {d.last_status_code ? `HTTP ${d.last_status_code} ` : ''}
                    {d.last_error ?? ''}
                  </td>
                  <td>
                    {d.status === 'dead' ? (
                      <form method="post" action={`/notifications/${d.id}/replay`}>
                        <CsrfField token={ctx.csrf} />
                        <button type="submit" aria-label={`Send again: notification ${d.id}`}>
                          Send again
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <nav class="pager" aria-label="Pages">
          {q.before ? <a href={href(null)}>Newest</a> : null}
          {more ? <a href={href(more)}>Older notifications</a> : null}
        </nav>
      </>
    );
  },
};

export const notificationActions: WebAction[] = [
  {
    path: '/notifications/:id/replay',
    permission: 'notify.manage',
    back: () => '/notifications?status=dead',
    async handle(deps, _body, ctx) {
      const id = numberParam(ctx, 'id', 'notification number');
      await auditedChange(deps, ctx, { action: 'notify.replay', target: `delivery:${id}` }, (tx) =>
        replayDeadLetter(tx, id),
      );
      return '/notifications?done=replayed';
    },
  },
];
