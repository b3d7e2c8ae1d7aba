// One child's record: asked for with a stated purpose, checked against the reader's record scope,
// masked field by field, and written to the audit log in the same transaction as the read.
import type { VNode } from 'preact';
import { appendAudit, can, childInScope, maskFor, whoAccessed } from '../../access/index.ts';
import { showChildCase, type ChildCase } from '../../cases/index.ts';
import { listAlerts } from '../../rules/index.ts';
import { BridgeError } from '../../shared/errors.ts';
import { OUTCOMES } from '../../work/index.ts';
import { PURPOSE_LABELS, ruleTitle, usDate, usDateTime, words } from '../format.ts';
import { roleLabel } from '../page.tsx';
import type { WebPage } from '../web-page.ts';
import {
  currentStateOf,
  linkedRecords,
  notesOfChild,
  tasksOfChild,
  type LinkedRecordRow,
} from '../web.queries.ts';

const AGENCIES = [
  ['cbp', 'CBP (Border Patrol)'],
  ['ice', 'ICE (transfer)'],
  ['orr', 'ORR (care and release)'],
  ['opla', 'OPLA (Notice to Appear)'],
  ['eoir', 'EOIR (immigration court)'],
] as const;

type ShownRecord = Omit<LinkedRecordRow, 'sponsor_id' | 'sponsor_category'> & {
  sponsor?: { id: string | null; category: string | null };
};

function addressText(a: {
  line: string | null;
  unit: string | null;
  city: string | null;
  state: string | null;
  zip5: string | null;
}): string {
  const parts = [
    [a.line, a.unit].filter(Boolean).join(' '),
    a.city,
    [a.state, a.zip5].filter(Boolean).join(' '),
  ];
  const text = parts.filter((p) => p && p.trim()).join(', ');
  return text || 'No address given';
}

function RecordCard({ r }: { r: ShownRecord }): VNode {
  return (
    <li class="record" data-record={`${r.source}:${r.record_id}`}>
      <div>
        <strong>{words(r.event_type)}</strong> on {usDate(r.own_date)}
      </div>
      <dl class="tight">
        <dt>Record</dt>
        <dd>{r.record_id}</dd>
        <dt>Name as sent</dt>
        <dd>{r.name_as_sent}</dd>
        <dt>A-number</dt>
        <dd>{r.a_number ?? '—'}</dd>
        <dt>Date of birth</dt>
        <dd>{usDate(r.dob)}</dd>
        <dt>Address</dt>
        <dd>
          {addressText({
            line: r.addr_line,
            unit: r.addr_unit,
            city: r.addr_city,
            state: r.addr_state,
            zip5: r.addr_zip5,
          })}
        </dd>
        {r.sponsor?.id ? (
          <>
            <dt>Sponsor</dt>
            <dd>
              {r.sponsor.id} ({words(r.sponsor.category)})
            </dd>
          </>
        ) : null}
        {r.court_code ? (
          <>
            <dt>Court</dt>
            <dd>{r.court_code}</dd>
          </>
        ) : null}
        <dt>Linked by</dt>
        <dd>{words(r.link_method)}</dd>
      </dl>
    </li>
  );
}

const ADDRESS_HOLDERS = [
  ['current', 'Newest address (any agency)'],
  ['orr', 'ORR (release address)'],
  ['opla', 'OPLA (on the Notice to Appear)'],
  ['eoir', 'Immigration court'],
] as const;

const QUALITY_LABELS: Record<string, string> = {
  ok: 'Usable',
  blank: 'Blank',
  invalid: 'Invalid',
  undeliverable: 'Court mail returned undeliverable',
  missing_unit: 'Missing an apartment number',
};

export const childRecordPage: WebPage<{ as_of?: string }> = {
  path: '/children/:id',
  title: "Child's record",
  permission: 'child.read',
  asksPurpose: true,
  query: {
    type: 'object',
    properties: { as_of: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' } },
    additionalProperties: false,
  },
  async render({ db, clock }, query, ctx): Promise<VNode> {
    const actor = ctx.actor!;
    const purpose = ctx.purpose!;
    const childId = ctx.params.id ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(childId))
      throw new BridgeError('USAGE', `"${childId}" is not a child id`);
    const mayAudit = can(actor, 'audit.read');
    const now = clock.now();
    const read = await db.transaction(async (tx) => {
      const shown = await showChildCase({ db: tx, clock }, childId, query.as_of || undefined);
      const state = shown.addresses.current?.state ?? (await currentStateOf(tx, shown.child_id));
      if (!childInScope(actor, state)) {
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'child.read',
          purpose,
          outcome: 'denied',
          childIds: [shown.child_id],
          details: { reason: 'out_of_scope', via: 'web' },
        });
        return null;
      }
      const [records, alerts, tasks, notes] = [
        await linkedRecords(tx, shown.child_id),
        (await listAlerts(tx, { childId: shown.child_id, status: 'all', limit: 200 })).alerts,
        await tasksOfChild(tx, shown.child_id),
        await notesOfChild(tx, shown.child_id),
      ];
      await appendAudit(tx, {
        at: now,
        actor,
        action: 'child.read',
        purpose,
        childIds: [shown.child_id],
        details: { via: 'web', records: records.length },
      });
      const accessed = mayAudit ? await whoAccessed(tx, shown.child_id, 50) : [];
      return { shown, records, alerts, tasks, notes, accessed };
    });
    // Outside the transaction: the denial above must be recorded, so it commits before we refuse.
    if (!read)
      throw new BridgeError('FORBIDDEN', "this child's current address is outside your office's area");
    const { alerts, tasks, notes, accessed } = read;
    // Field rules: a sponsor (and anything about one) only where the role and purpose allow.
    const masked = maskFor(actor, purpose, {
      sponsor: read.shown.sponsor as ChildCase['sponsor'] | undefined,
      records: read.records.map(({ sponsor_id, sponsor_category, ...r }) => ({
        ...r,
        sponsor: { id: sponsor_id, category: sponsor_category },
      })) as ShownRecord[],
    });
    const sponsorShown = 'sponsor' in masked;
    const c = read.shown;
    return (
      <>
        <p class="lead">
          Child <strong data-child={c.child_id}>{c.child_id}</strong>
          {c.asked_for ? ` (record ${c.asked_for} was merged into this child)` : ''}, as the agencies' records
          stood on {usDate(c.as_of)}. Opened for: {PURPOSE_LABELS[purpose]}.
        </p>
        <dl class="facts">
          <dt>Custody</dt>
          <dd>{words(c.custody.status)}</dd>
          <dt>Encountered</dt>
          <dd>{usDate(c.encountered_on)}</dd>
          <dt>First transferred to ORR</dt>
          <dd>{usDate(c.first_transfer_on)}</dd>
          <dt>Turns 18</dt>
          <dd>{usDate(c.turns_18_on)}</dd>
          <dt>Sponsor</dt>
          <dd>
            {!sponsorShown
              ? 'Not shown for this purpose'
              : masked.sponsor
                ? `${masked.sponsor.id ?? 'unknown'} (${words(masked.sponsor.category)})`
                : 'None recorded'}
          </dd>
          <dt>Next hearing</dt>
          <dd>
            {c.next_hearing
              ? `${usDate(c.next_hearing.on)} at ${c.next_hearing.courtCode ?? 'court not given'}`
              : 'None scheduled'}
          </dd>
        </dl>

        <h2>Source records, by agency</h2>
        <p class="note">Each agency's rows linked to this child, as the agency sent them.</p>
        <div class="agencies">
          {AGENCIES.map(([src, label]) => {
            const mine = masked.records.filter((r) => r.source === src);
            return (
              <section class="agency" aria-label={label} key={src}>
                <h3>{label}</h3>
                {mine.length === 0 ? <p class="note">No records.</p> : null}
                <ul>
                  {mine.map((r) => (
                    <RecordCard r={r} key={r.pk} />
                  ))}
                </ul>
              </section>
            );
          })}
        </div>

        <h2>Addresses each agency holds</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Held by</th>
              <th scope="col">Address</th>
              <th scope="col">Since</th>
              <th scope="col">Quality</th>
              <th scope="col">Same as newest</th>
            </tr>
          </thead>
          <tbody>
            {ADDRESS_HOLDERS.map(([key, label]) => {
              const a = c.addresses[key];
              return (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  <td>{a ? addressText(a) : 'None'}</td>
                  <td>{a ? usDate(a.on) : '—'}</td>
                  <td>{a ? QUALITY_LABELS[a.quality] : '—'}</td>
                  <td>{a ? (a.same_as_current ? 'Yes' : 'No') : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>

        <h2>Court</h2>
        {c.court_cases.length === 0 ? <p>No immigration court case on record.</p> : null}
        {c.court_cases.map((k) => (
          <table key={k.idncase}>
            <caption>
              Case {k.idncase} at {k.courtCode ?? 'court not given'}, opened {usDate(k.openedOn)}
              {k.completedOn ? `, completed ${usDate(k.completedOn)} (${words(k.completion)})` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Hearing date</th>
                <th scope="col">Type</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {k.scheduled.map((h) => {
                const res = k.results.find((x) => x.at === h.at);
                return (
                  <tr key={h.at}>
                    <td>{usDate(h.on)}</td>
                    <td>{words(h.type)}</td>
                    <td>
                      {res
                        ? `${res.attendance === 'ABSENT' ? 'Absent' : 'Present'}${res.inAbsentia ? ', ordered removed in absentia' : ''}`
                        : 'Not yet held'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
        {c.ntas.length > 0 ? (
          <ul>
            {c.ntas.map((n) => (
              <li key={n.pk}>
                Notice to Appear issued {usDate(n.issuedOn)}; served {usDate(n.servedOn)}; filed{' '}
                {usDate(n.filedOn)}
              </li>
            ))}
          </ul>
        ) : (
          <p>No Notice to Appear on record.</p>
        )}

        <h2>Alerts</h2>
        {alerts.length === 0 ? <p>No alerts.</p> : null}
        {alerts.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Problem</th>
                <th scope="col">Severity</th>
                <th scope="col">Opened</th>
                <th scope="col">Closed</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.id}>
                  <td>{ruleTitle(a.rule_id)}</td>
                  <td>
                    <span class={`badge ${a.severity}`}>{words(a.severity)}</span>
                  </td>
                  <td>{usDate(a.opened_on)}</td>
                  <td>{a.closed_on ? `${usDate(a.closed_on)}: ${a.close_reason ?? ''}` : 'Still open'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}

        <h2>Tasks</h2>
        {tasks.length === 0 ? <p>No tasks.</p> : null}
        {tasks.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Office</th>
                <th scope="col">What to do</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={t.id}>
                  <td>
                    <a href={`/tasks/${t.id}`}>Task {t.id}</a>
                  </td>
                  <td>{t.office_id}</td>
                  <td>{t.action}</td>
                  <td>{usDate(t.due_on)}</td>
                  <td>
                    {t.status === 'open'
                      ? `Open${t.assigned_to ? `, with ${t.assigned_to}` : ''}`
                      : `Closed: ${OUTCOMES[t.outcome as keyof typeof OUTCOMES]?.label ?? t.outcome}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}

        <h2>Notes</h2>
        {notes.length === 0 ? <p>No notes.</p> : null}
        <ul class="notes">
          {notes.map((n, i) => (
            <li key={i}>
              <strong>{n.author}</strong>, {usDateTime(n.created_at)} (task {n.task_id}): {n.body}
            </li>
          ))}
        </ul>

        <h2>Timeline</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">What happened</th>
              <th scope="col">Agency</th>
              <th scope="col">Record</th>
            </tr>
          </thead>
          <tbody>
            {c.timeline.map((t, i) => (
              <tr key={i}>
                <td>{usDate(t.on)}</td>
                <td>{words(t.fact)}</td>
                <td>{t.source.toUpperCase()}</td>
                <td>{t.record_id}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2 id="accessed">Who accessed this record</h2>
        {mayAudit ? (
          <table data-audit="who-accessed">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Role</th>
                <th scope="col">What</th>
                <th scope="col">Purpose</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {accessed.map((e) => (
                <tr key={e.seq}>
                  <td>{usDateTime(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{e.role ? roleLabel(e.role) : '—'}</td>
                  <td>{e.action}</td>
                  <td>{e.purpose ? words(e.purpose) : '—'}</td>
                  <td>{words(e.outcome)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>
            Every opening of this record is logged with the reader's name and purpose; oversight staff can see
            that log.
          </p>
        )}
      </>
    );
  },
};
