// The identity review queue: pairs of records the model could not decide, strongest first; each pair
// side by side with what every field added to the score, and a decision (link or keep apart) with a
// reason that wins over the model from then on.
import type { VNode } from 'preact';
import { explainPair } from '../../identity/index.ts';
import { decideReviewAsActor } from '../../api/review-decision.ts';
import { BridgeError } from '../../shared/errors.ts';
import { silentLog } from '../../shared/log.ts';
import { CsrfField, Pager } from '../page.tsx';
import { numberParam } from '../audited-change.ts';
import { count, usDate, words } from '../format.ts';
import type { WebAction, WebPage } from '../web-page.ts';
import { reviewPage, reviewPairById } from '../web.queries.ts';

const PAGE_SIZE = 25;

export const reviewQueuePage: WebPage<{ status?: 'open' | 'decided'; page?: number }> = {
  path: '/review',
  navLabel: 'Identity review',
  title: 'Identity review',
  permission: 'identity.review',
  query: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['open', 'decided'] },
      page: { type: 'integer', minimum: 1, maximum: 100000 },
    },
    additionalProperties: false,
  },
  async render({ db }, q): Promise<VNode> {
    const status = q.status ?? 'open';
    const page = q.page ?? 1;
    const { total, pairs } = await reviewPage(db, status, PAGE_SIZE, (page - 1) * PAGE_SIZE);
    return (
      <>
        <p class="lead">
          Pairs of records that may or may not be the same child. Open one to compare them and decide.
        </p>
        <form class="filters" method="get" action="/review">
          <div>
            <label for="status">Show</label>
            <select id="status" name="status">
              <option value="open" selected={status === 'open'}>
                Waiting for a decision
              </option>
              <option value="decided" selected={status === 'decided'}>
                Decided
              </option>
            </select>
          </div>
          <button type="submit">Show pairs</button>
        </form>
        <p>{count(total)} pairs.</p>
        <table>
          <thead>
            <tr>
              <th scope="col">Pair</th>
              <th scope="col">First record</th>
              <th scope="col">Second record</th>
              <th scope="col" class="num">
                Score
              </th>
            </tr>
          </thead>
          <tbody>
            {pairs.map((p) => (
              <tr key={p.id} data-pair={p.id}>
                <td>
                  <a href={`/review/${p.id}`}>Compare pair {p.id}</a>
                </td>
                <td>
                  {p.a_name} <span class="note">({p.a_ref})</span>
                </td>
                <td>
                  {p.b_name} <span class="note">({p.b_ref})</span>
                </td>
                <td class="num">{p.weight.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager path="/review" page={page} pageSize={PAGE_SIZE} total={total} keep={{ status }} />
      </>
    );
  },
};

const FIELD_LABELS: Record<string, string> = {
  given_names: 'Given names',
  surnames: 'Surnames',
  dob: 'Date of birth',
  a_number: 'A-number',
  sex: 'Sex',
  country: 'Country of birth',
};

export const reviewPairPage: WebPage<Record<string, never>> = {
  path: '/review/:id',
  title: 'Compare two records',
  permission: 'identity.review',
  query: { type: 'object', properties: {}, additionalProperties: false },
  async render({ db }, _q, ctx): Promise<VNode> {
    const id = numberParam(ctx, 'id', 'pair number');
    const pair = await reviewPairById(db, id);
    if (!pair) throw new BridgeError('NOT_FOUND', `no review pair ${id}`);
    const x = await explainPair(db, pair.record_a, pair.record_b);
    const [a, b] = x.records;
    const rows: [string, string | null, string | null][] = [
      ['Agency', a.source.toUpperCase(), b.source.toUpperCase()],
      ['Record', a.recordId, b.recordId],
      ['Event', words(a.eventType), words(b.eventType)],
      ['Date of the record', usDate(a.ownDate), usDate(b.ownDate)],
      ['Currently linked to child', a.childId, b.childId],
    ];
    return (
      <>
        <p class="lead">
          Pair {pair.id}: score {x.weight.toFixed(1)} (links at {x.thresholds.link.toFixed(1)}, asks a person
          from {x.thresholds.review.toFixed(1)}); probability they are one child{' '}
          {(x.probability * 100).toFixed(0)}%.
        </p>
        <p>{x.because}</p>
        <table class="compare">
          <caption>The two records side by side, and what each field added to the score</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">First record</th>
              <th scope="col">Second record</th>
              <th scope="col">Agreement</th>
              <th scope="col" class="num">
                Adds to score
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, va, vb]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{va ?? '—'}</td>
                <td>{vb ?? '—'}</td>
                <td />
                <td />
              </tr>
            ))}
            {x.fields.map((f) => (
              <tr key={f.field} data-field={f.field}>
                <th scope="row">{FIELD_LABELS[f.field] ?? words(f.field)}</th>
                <td>{f.field === 'dob' ? usDate(f.a) : (f.a ?? '—')}</td>
                <td>{f.field === 'dob' ? usDate(f.b) : (f.b ?? '—')}</td>
                <td>{words(f.level)}</td>
                <td class="num">{(f.weight >= 0 ? '+' : '') + f.weight.toFixed(2)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Starting score</th>
              <td colSpan={3} class="note">
                How likely any two records are to be the same child before comparing them
              </td>
              <td class="num">{x.prior.toFixed(2)}</td>
            </tr>
          </tbody>
        </table>
        {x.decision ? (
          <p>
            Decided: {x.decision.decision === 'link' ? 'linked' : 'kept apart'} by {x.decision.actor} because
            "{x.decision.reason}".
          </p>
        ) : null}
        {pair.status === 'open' ? (
          <form method="post" action={`/review/${pair.id}/decision`} class="stack">
            <CsrfField token={ctx.csrf} />
            <fieldset>
              <legend>Your decision</legend>
              <div>
                <input type="radio" id="decision-link" name="decision" value="link" required />{' '}
                <label for="decision-link" class="inline">
                  Same child: link the two records
                </label>
              </div>
              <div>
                <input type="radio" id="decision-apart" name="decision" value="apart" />{' '}
                <label for="decision-apart" class="inline">
                  Different children: keep them apart
                </label>
              </div>
            </fieldset>
            <div>
              <label for="reason">Reason (kept with the decision)</label>
              <textarea id="reason" name="reason" rows={2} required maxLength={2000} />
            </div>
            <button type="submit">Save decision</button>
          </form>
        ) : (
          <p>This pair is no longer waiting for a decision.</p>
        )}
        <p>
          <a href="/review">Back to the review queue</a>
        </p>
      </>
    );
  },
};

export const reviewActions: WebAction[] = [
  {
    path: '/review/:id/decision',
    permission: 'identity.review',
    back: (p) => `/review/${p.id ?? ''}`,
    async handle(deps, body, ctx) {
      const id = numberParam(ctx, 'id', 'pair number');
      if (body.decision !== 'link' && body.decision !== 'apart') {
        throw new BridgeError('USAGE', 'choose whether the records are the same child or not');
      }
      const reason = (body.reason ?? '').trim();
      if (!reason) throw new BridgeError('USAGE', 'give a reason for the decision');
      await decideReviewAsActor(
        { db: deps.db, clock: deps.clock, log: deps.log ?? silentLog },
        ctx.actor,
        id,
        {
          decision: body.decision,
          reason: reason.slice(0, 2000),
          actor: ctx.actor!.username,
        },
      );
      return `/review?done=${body.decision === 'link' ? 'pair_linked' : 'pair_apart'}`;
    },
  },
];
