// Serves the web application: server-rendered pages and the project's own assets (no external
// network, no inline scripts or styles, so a strict Content-Security-Policy holds).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { Shell, SignInPage, renderDocument } from './page.tsx';
import type { WebDeps, WebPage } from './web-page.ts';
import { feedsPage } from './pages/feeds.page.tsx';
import { overviewPage } from './pages/overview.page.tsx';
import { childrenPage } from './pages/children.page.tsx';

const assetsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

// Every page, in navigation order.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const webPages: WebPage<any>[] = [overviewPage, childrenPage, feedsPage];

export function webRoutes(deps: WebDeps): FastifyPluginAsync {
  const css = fs.readFileSync(path.join(assetsDir, 'app.css'));
  const nav = webPages.map((p) => ({ path: p.path, label: p.navLabel }));
  return async (app) => {
    app.get('/assets/app.css', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
    );
    for (const page of webPages) {
      app.get(
        page.path,
        {
          config: { permission: page.permission, page: true },
          schema: { hide: true, querystring: page.query },
        },
        async (req, reply) => {
          const body = await page.render(deps, req.query as never);
          const html = renderDocument(
            <Shell title={page.title} currentPath={page.path} nav={nav}>
              {body}
            </Shell>,
          );
          return reply.type('text/html; charset=utf-8').send(html);
        },
      );
    }

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
          .send(renderDocument(<SignInPage next={q.next ?? '/'} failed={q.failed === '1'} />));
      },
    );
  };
}
