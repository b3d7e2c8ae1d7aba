// A page of the web application: its path, its place in the navigation, the schema of its query
// string (checked by the server like any API input), and how it renders. Forms post to actions,
// which change something and send the browser on (post, redirect, get).
import type { VNode } from 'preact';
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import type { AccessSecrets, Actor, Permission, Purpose } from '../access/index.ts';

export interface WebDeps {
  db: Db;
  clock: Clock;
  log?: Log;
  /** Present when access control is on: signs the CSRF token every form carries. */
  secrets?: AccessSecrets;
}

export type UserActor = Extract<Actor, { kind: 'user' }>;

/** What a page or action knows about the request beyond its query string. */
export interface PageContext {
  /** The signed-in person (null only when the server runs without access control). */
  actor: UserActor | null;
  /** The session's CSRF token, for every form that posts. */
  csrf: string | null;
  /** Route parameters (`/children/:id` gives `id`). */
  params: Record<string, string>;
  /** The purpose stated for this page (pages that ask for one). */
  purpose: Purpose | null;
}

export interface WebPage<Q = Record<string, unknown>> {
  path: string;
  /** Label in the navigation bar; pages reached from other pages (a child, a task) have none. */
  navLabel?: string;
  title: string;
  /** What a signed-in user needs to open the page (checked on the server by the access plugin). */
  permission: Permission;
  /** JSON schema of the query string. */
  query: Record<string, unknown>;
  /** The page discloses children: the reader states a purpose first (asked on the page itself). */
  asksPurpose?: boolean;
  render(deps: WebDeps, query: Q, ctx: PageContext): Promise<VNode>;
}

export interface WebAction<B = Record<string, string>> {
  /** POST path; may hold parameters (`/tasks/:id/close`). */
  path: string;
  permission: Permission | 'authenticated';
  /** Where to send the person back to when the action is refused (shown as a link). */
  back(params: Record<string, string>): string;
  /** Does the change; returns where to go next. Throws BridgeError with a plain message when refused. */
  handle(deps: WebDeps, body: B, ctx: PageContext): Promise<string>;
}
