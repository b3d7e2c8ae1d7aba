// A page of the web application: its path, its place in the navigation, the schema of its query
// string (checked by the server like any API input), and how it renders.
import type { VNode } from 'preact';
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';

export interface WebDeps {
  db: Db;
  clock: Clock;
}

export interface WebPage<Q = Record<string, unknown>> {
  path: string;
  navLabel: string;
  title: string;
  /** JSON schema of the query string. */
  query: Record<string, unknown>;
  render(deps: WebDeps, query: Q): Promise<VNode>;
}
