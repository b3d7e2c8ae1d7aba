// Serves the web application: server-rendered pages, the forms' actions and the project's own
// assets (no external network, no inline scripts or styles, so a strict Content-Security-Policy
// holds). Pages and actions declare their permission; the access plugin checks it on the server.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import {
  can,
  csrfTokenFor,
  isPurpose,
  purposeAllowed,
  signOut,
  PURPOSES_OF_ROLE,
  SESSION_COOKIE,
} from '../access/index.ts';
import { BridgeError, isBridgeError } from '../shared/errors.ts';
import { Shell, SignInPage, renderDocument, type NavItem } from './page.tsx';
import type { PageContext, UserActor, WebAction, WebDeps, WebPage } from './web-page.ts';
import { PURPOSE_LABELS } from './format.ts';
import { feedsPage } from './pages/feeds.page.tsx';
import { overviewPage } from './pages/overview.page.tsx';
import { childrenPage } from './pages/children.page.tsx';
import { myTasksPage, officeTasksPage, taskPage, taskActions } from './pages/tasks.page.tsx';
import { childRecordPage } from './pages/child-record.page.tsx';
import { reviewPairPage, reviewQueuePage, reviewActions } from './pages/review.page.tsx';
import { addressesPage } from './pages/addresses.page.tsx';
import { notificationsPage, notificationActions } from './pages/notifications.page.tsx';
import { adminPage, adminActions } from './pages/admin.page.tsx';

const assetsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

// Every page, in navigation order.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const webPages: WebPage<any>[] = [
  overviewPage,
  myTasksPage,
  officeTasksPage,
  reviewQueuePage,
  addressesPage,
  notificationsPage,
  childrenPage,
  feedsPage,
  adminPage,
  taskPage,
  childRecordPage,
  reviewPairPage,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const webActions: WebAction<any>[] = [
  ...taskActions,
  ...reviewActions,
  ...notificationActions,
  ...adminActions,
];

// What the last form did, by a fixed code in the redirect (never text taken from the URL).
const FLASH: Record<string, string> = {
  task_closed: 'The task is closed with the outcome you chose.',
  task_assigned: 'The task is assigned.',
  tasks_assigned: 'The selected tasks are assigned.',
  note_added: 'Your note is saved on the task.',
  pair_linked: 'The two records are now linked as one child.',
  pair_apart: 'The two records are kept apart.',
  replayed: 'The notification will be sent again.',
  setting_saved: 'The rule setting is saved; it applies from the next evaluation.',
  subscription_removed: 'The subscription is stopped.',
  user_locked: 'The account is locked and its sessions ended.',
  user_unlocked: 'The account is unlocked.',
};

function userOf(req: FastifyRequest): UserActor | null {
  return req.actor?.kind === 'user' ? req.actor : null;
}

export function webRoutes(deps: WebDeps): FastifyPluginAsync {
  const css = fs.readFileSync(path.join(assetsDir, 'app.css'));
  const csrfOf = (req: FastifyRequest) =>
    deps.secrets && req.sessionId ? csrfTokenFor(deps.secrets.sessionSecret, req.sessionId) : null;
  /** The navigation: only the pages this person may open. */
  const navFor = (actor: UserActor | null): NavItem[] =>
    webPages
      .filter((p) => p.navLabel && (actor === null || can(actor, p.permission)))
      .map((p) => ({ path: p.path, label: p.navLabel! }));

  const send = (
    req: FastifyRequest,
    reply: FastifyReply,
    title: string,
    currentPath: string,
    body: VNode,
    flash: string | null = null,
  ) => {
    const actor = userOf(req);
    const html = renderDocument(
      <Shell
        title={title}
        currentPath={currentPath}
        nav={navFor(actor)}
        user={actor}
        csrf={csrfOf(req)}
        flash={flash}
      >
        {body}
      </Shell>,
    );
    return reply.type('text/html; charset=utf-8').send(html);
  };

  /** A refusal or a mistake, said plainly on a page of its own, with the way back. */
  const sendError = (req: FastifyRequest, reply: FastifyReply, e: unknown, back: string | null) => {
    if (!isBridgeError(e)) throw e;
    reply.status(e.httpStatus);
    const title = e.httpStatus === 403 ? 'Not allowed' : e.httpStatus === 404 ? 'Not found' : 'Not done';
    return send(
      req,
      reply,
      title,
      '',
      <>
        <p role="alert" class="error">
          {e.message.charAt(0).toUpperCase() + e.message.slice(1)}.
        </p>
        {back ? (
          <p>
            <a href={back}>Go back</a>
          </p>
        ) : null}
      </>,
    );
  };

  return async (app) => {
    // Refusals from the access layer (no permission, a missing CSRF token) and bad query strings on
    // these routes are said on a page, like the pages' own errors; anything else goes to the server's
    // handler (which never shows 5xx details).
    app.setErrorHandler((error, req, reply) => {
      const e = error as { validation?: unknown; message: string };
      if (isBridgeError(error)) return sendError(req, reply, error, null);
      if (e.validation) return sendError(req, reply, new BridgeError('USAGE', e.message), null);
      throw error;
    });

    app.get('/assets/app.css', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
    );

    for (const page of webPages) {
      const q = page.query as { properties?: Record<string, unknown> };
      const querystring = {
        ...page.query,
        properties: {
          ...q.properties,
          done: { type: 'string', pattern: '^[a-z_]{1,40}$' },
          ...(page.asksPurpose ? { purpose: { type: 'string', maxLength: 40 } } : {}),
        },
      };
      app.get(
        page.path,
        {
          // A page that asks for a purpose asks on the page itself (a form), not in a header.
          config: {
            permission: page.permission,
            page: true,
            ...(page.asksPurpose ? { purpose: false } : {}),
          },
          schema: { hide: true, querystring },
        },
        async (req, reply) => {
          const { done, purpose, ...query } = req.query as Record<string, unknown>;
          const actor = userOf(req);
          const ctx: PageContext = {
            actor,
            csrf: csrfOf(req),
            params: (req.params ?? {}) as Record<string, string>,
            purpose: null,
          };
          try {
            if (page.asksPurpose) {
              if (!actor) throw new BridgeError('UNAUTHENTICATED', 'sign in to open records of children');
              if (purpose === undefined || purpose === '') {
                return send(req, reply, page.title, page.path, <PurposePrompt actor={actor} req={req} />);
              }
              if (!isPurpose(purpose) || !purposeAllowed(actor.role, purpose)) {
                throw new BridgeError(
                  'FORBIDDEN',
                  `the purpose "${String(purpose)}" is not open to your role`,
                );
              }
              ctx.purpose = purpose;
              req.purpose = purpose;
            }
            const body = await page.render(deps, query, ctx);
            const flash = typeof done === 'string' ? (FLASH[done] ?? null) : null;
            return send(req, reply, page.title, page.path, body, flash);
          } catch (e) {
            return sendError(req, reply, e, page.navLabel ? null : '/');
          }
        },
      );
    }

    for (const action of webActions) {
      app.post(
        action.path,
        {
          config: { permission: action.permission },
          schema: {
            hide: true,
            body: { type: 'object', additionalProperties: { type: 'string', maxLength: 10_000 } },
          },
        },
        async (req, reply) => {
          const params = (req.params ?? {}) as Record<string, string>;
          const ctx: PageContext = { actor: userOf(req), csrf: csrfOf(req), params, purpose: null };
          try {
            if (!ctx.actor) throw new BridgeError('UNAUTHENTICATED', 'sign in to do this');
            const { _csrf: _token, ...body } = req.body as Record<string, string>;
            const next = await action.handle(deps, body, ctx);
            return reply.redirect(next, 303);
          } catch (e) {
            return sendError(req, reply, e, action.back(params));
          }
        },
      );
    }

    // Where signing in lands: the first page this person may open.
    app.get(
      '/start',
      { config: { permission: 'authenticated', page: true }, schema: { hide: true } },
      async (req, reply) => reply.redirect(navFor(userOf(req))[0]?.path ?? '/login', 303),
    );

    app.post(
      '/logout',
      { config: { permission: 'authenticated' }, schema: { hide: true } },
      async (req, reply) => {
        if (req.sessionId && req.actor) {
          await signOut(deps, req.sessionId, req.actor);
          app.forgetSession?.(req.sessionId);
        }
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.redirect('/login', 303);
      },
    );

    app.get(
      '/login',
      {
        config: { public: true },
        schema: {
          hide: true,
          querystring: {
            type: 'object',
            properties: {
              next: { type: 'string', maxLength: 2000 },
              failed: { type: 'string', maxLength: 1 },
            },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const q = req.query as { next?: string; failed?: string };
        return reply
          .type('text/html; charset=utf-8')
          .send(renderDocument(<SignInPage next={q.next ?? '/start'} failed={q.failed === '1'} />));
      },
    );
  };
}

/**
 * Before a record of a child opens: why are you opening it? The answer is kept in the audit log
 * with the read, and decides which fields are shown.
 */
function PurposePrompt({ actor, req }: { actor: UserActor; req: FastifyRequest }): VNode {
  const keep = Object.entries(req.query as Record<string, unknown>).filter(
    ([k, v]) => k !== 'purpose' && k !== 'done' && typeof v === 'string',
  ) as [string, string][];
  const [action] = req.url.split('?');
  return (
    <form method="get" action={action} class="purpose">
      {keep.map(([k, v]) => (
        <input type="hidden" name={k} value={v} key={k} />
      ))}
      <fieldset>
        <legend>Why are you opening this record?</legend>
        <p class="note">
          Your answer is recorded with your name and the time, and decides what you are shown.
        </p>
        {PURPOSES_OF_ROLE[actor.role].map((p, i) => (
          <div key={p}>
            <input type="radio" id={`purpose-${p}`} name="purpose" value={p} required checked={i === 0} />{' '}
            <label for={`purpose-${p}`} class="inline">
              {PURPOSE_LABELS[p]}
            </label>
          </div>
        ))}
      </fieldset>
      <button type="submit">Open the record</button>
    </form>
  );
}
