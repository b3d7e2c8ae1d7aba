// A page of the web application: its path, its place in the navigation, the schema of its query
// string (checked by the server like any API input), and how it renders.
import type { VNode } from 'preact';
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Permission } from '../access/index.ts';

export interface WebDeps {
  db: Db;
  clock: Clock;
}

export interface WebPage<Q = Record<string, unknown>> {
  path: string;
  navLabel: string;
  title: string;
  /** What a signed-in user needs to open the page (checked on the server by the access plugin). */
  permission: Permission;
  /** JSON schema of the query string. */
  query: Record<string, unknown>;
  render(deps: WebDeps, query: Q): Promise<VNode>;
}
