// Administration: accounts and what each role may do, the notification subscriptions, and the gap
// rules' settings (changed here; each change is audited and applies from the next evaluation).
import type { VNode } from 'preact';
import { can, listUserSummaries, PERMISSIONS, POLICY, ROLES, setUserLocked } from '../../access/index.ts';
import { listSubscriptions, removeSubscription } from '../../notify/index.ts';
import { listRules, setRuleSetting } from '../../rules/index.ts';
import { BridgeError } from '../../shared/errors.ts';
import { CsrfField, roleLabel } from '../page.tsx';
import { auditedChange, numberParam } from '../audited-change.ts';
import { usDateTime, words } from '../format.ts';
import type { WebAction, WebPage } from '../web-page.ts';

export const adminPage: WebPage<Record<string, never>> = {
  path: '/admin',
  navLabel: 'Administration',
  title: 'Administration',
  permission: 'user.manage',
  query: { type: 'object', properties: {}, additionalProperties: false },
  async render(deps, _q, ctx): Promise<VNode> {
    const actor = ctx.actor;
    const mayNotify = actor === null || can(actor, 'notify.manage');
    const [users, subscriptions, rules] = await Promise.all([
      listUserSummaries(deps),
      mayNotify ? listSubscriptions(deps.db) : Promise.resolve([]),
      listRules(deps.db),
    ]);
    return (
      <>
        <h2 id="users-h">Users</h2>
        <table aria-labelledby="users-h">
          <thead>
            <tr>
              <th scope="col">User name</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Office</th>
              <th scope="col">Last signed in</th>
              <th scope="col">Account</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username} data-user={u.username}>
                <td>{u.username}</td>
                <td>{u.displayName}</td>
                <td>{roleLabel(u.role)}</td>
                <td>{u.office ?? '—'}</td>
                <td>{usDateTime(u.lastLoginAt)}</td>
                <td>
                  <form method="post" action={`/admin/users/${encodeURIComponent(u.username)}/lock`}>
                    <CsrfField token={ctx.csrf} />
                    <input type="hidden" name="locked" value={u.locked ? 'false' : 'true'} />
                    {u.locked ? 'Locked ' : 'Active '}
                    <button type="submit" aria-label={`${u.locked ? 'Unlock' : 'Lock'} ${u.username}`}>
                      {u.locked ? 'Unlock' : 'Lock'}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="note">New accounts are added with the command line (bridge users add).</p>

        <h2 id="roles-h">What each role may do</h2>
        <div class="scroll">
          <table aria-labelledby="roles-h" class="matrix">
            <thead>
              <tr>
                <th scope="col">Permission</th>
                {ROLES.map((r) => (
                  <th scope="col" key={r}>
                    {roleLabel(r)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {PERMISSIONS.filter((p) => p !== 'feed.push' && p !== 'notify.receive').map((p) => (
                <tr key={p}>
                  <th scope="row">{words(p)}</th>
                  {ROLES.map((r) => (
                    <td key={r}>{POLICY[r].includes(p) ? 'Yes' : 'No'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        {mayNotify ? (
          <>
            <h2 id="subs-h">Notification subscriptions</h2>
            {subscriptions.length === 0 ? <p>No subscriptions.</p> : null}
            {subscriptions.length > 0 ? (
              <table aria-labelledby="subs-h">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Agency</th>
                    <th scope="col">Sent by</th>
                    <th scope="col">Events</th>
                    <th scope="col">Status</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {subscriptions.map((s) => (
                    <tr key={s.id} data-subscription={s.id}>
                      <td>{s.name}</td>
                      <td>{s.agency}</td>
                      <td>
                        {s.channel} to {s.target}
                      </td>
                      <td>{s.event_types.join(', ')}</td>
                      <td>
                        {words(s.status)}
                        {s.disabled_reason ? ` (${s.disabled_reason})` : ''}
                      </td>
                      <td>
                        {s.status === 'active' ? (
                          <form method="post" action={`/admin/subscriptions/${s.id}/remove`}>
                            <CsrfField token={ctx.csrf} />
                            <button type="submit" aria-label={`Stop subscription ${s.name}`}>
                              Stop
                            </button>
                          </form>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <p class="note">
              New subscriptions are added through the API (POST /api/v1/notify/subscriptions).
            </p>
          </>
        ) : null}

        <h2>Gap rules</h2>
        {rules.map((r) => (
          <form
            method="post"
            action={`/admin/rules/${r.id}`}
            class="rule"
            key={r.id}
            aria-labelledby={`rule-${r.id}`}
            data-rule={r.id}
          >
            <h3 id={`rule-${r.id}`}>{r.title}</h3>
            <p class="note">
              {r.description} Severity {r.severity}; acted on by {r.offices.map((o) => o.office).join(', ')}.
            </p>
            <CsrfField token={ctx.csrf} />
            <div class="filters">
              {Object.entries(r.settings ?? r.defaults).map(([key, value]) => {
                const id = `${r.id}-${key}`;
                return (
                  <div key={key}>
                    <label for={id}>{words(key)}</label>
                    {typeof r.defaults[key] === 'boolean' ? (
                      <select id={id} name={key}>
                        <option value="true" selected={value === true}>
                          Yes
                        </option>
                        <option value="false" selected={value === false}>
                          No
                        </option>
                      </select>
                    ) : (
                      <input id={id} name={key} type="number" min="0" value={String(value)} />
                    )}
                  </div>
                );
              })}
              <button type="submit" aria-label={`Save settings of ${r.title}`}>
                Save
              </button>
            </div>
          </form>
        ))}
      </>
    );
  },
};

export const adminActions: WebAction[] = [
  {
    path: '/admin/rules/:rule',
    permission: 'user.manage',
    back: () => '/admin',
    async handle(deps, body, ctx) {
      const rule = ctx.params.rule ?? '';
      const current = (await listRules(deps.db)).find((r) => r.id === rule);
      if (!current) throw new BridgeError('NOT_FOUND', `no rule named "${rule}"`);
      const settings = current.settings as Record<string, unknown>;
      const changed = Object.entries(body).filter(
        ([k, v]) => k in current.defaults && String(settings[k]) !== v,
      );
      if (changed.length > 0) {
        const entry = { action: 'rule.setting', target: rule, details: Object.fromEntries(changed) };
        await auditedChange(deps, ctx, entry, async (tx) => {
          for (const [key, value] of changed) await setRuleSetting(tx, rule, key, value, ctx.actor!.username);
        });
      }
      return '/admin?done=setting_saved';
    },
  },
  {
    path: '/admin/subscriptions/:id/remove',
    permission: 'notify.manage',
    back: () => '/admin',
    async handle(deps, _body, ctx) {
      const id = numberParam(ctx, 'id', 'subscription number');
      await auditedChange(
        deps,
        ctx,
        { action: 'notify.subscription_remove', target: `subscription:${id}` },
        (tx) => removeSubscription(tx, id),
      );
      return '/admin?done=subscription_removed';
    },
  },
  {
    path: '/admin/users/:username/lock',
    permission: 'user.manage',
    back: () => '/admin',
    async handle(deps, body, ctx) {
      const username = ctx.params.username ?? '';
      if (username === ctx.actor!.username)
        throw new BridgeError('USAGE', 'you cannot lock your own account');
      const locked = body.locked === 'true';
      await setUserLocked(deps, username, locked, ctx.actor);
      return `/admin?done=${locked ? 'user_locked' : 'user_unlocked'}`;
    },
  },
];
