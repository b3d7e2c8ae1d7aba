// The page shell every screen shares: skip link, site navigation, main landmark, and a footer that
// states the time zone dates are shown in.
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { defaultZone } from './format.ts';

export interface NavItem {
  path: string;
  label: string;
}

export interface ShellProps {
  title: string;
  currentPath: string;
  nav: readonly NavItem[];
  children: ComponentChildren;
  /** The signed-in person, shown with a sign-out button. */
  user?: { username: string; role: string } | null;
  csrf?: string | null;
  /** A confirmation of what the last form did. */
  flash?: string | null;
}

export function Shell({ title, currentPath, nav, children, user, csrf, flash }: ShellProps): VNode {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · UC Bridge`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to main content
        </a>
        <header class="site">
          <a class="name" href="/">
            UC Bridge
          </a>
          <nav class="main" aria-label="Main">
            <ul>
              {nav.map((item) => (
                <li key={item.path}>
                  <a href={item.path} aria-current={item.path === currentPath ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {user ? (
            <form method="post" action="/logout" class="signout">
              <span>
                Signed in as {user.username} ({roleLabel(user.role)})
              </span>
              <CsrfField token={csrf} />
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main id="main">
          <h1>{title}</h1>
          {flash ? (
            <p role="status" class="flash">
              {flash}
            </p>
          ) : null}
          {children}
        </main>
        <footer class="site">
          Times are shown in {defaultZone.timeZone.replace('_', ' ')} time. All records here describe
          children: open only what your work needs.
        </footer>
      </body>
    </html>
  );
}

/** The hidden field carrying the session's CSRF token; every form that posts includes it. */
export function CsrfField({ token }: { token: string | null | undefined }): VNode | null {
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}

const ROLE_LABELS: Record<string, string> = {
  orr_case_manager: 'ORR case manager',
  ero_officer: 'ERO officer',
  ero_supervisor: 'ERO supervisor',
  opla_attorney: 'OPLA attorney',
  court_staff: 'court staff',
  oversight_auditor: 'oversight auditor',
  administrator: 'administrator',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role.replace(/_/g, ' ');
}

export function renderDocument(node: VNode): string {
  return '<!doctype html>' + renderToString(node);
}

export interface PagerProps {
  path: string;
  page: number;
  pageSize: number;
  total: number;
  /** Query parameters to keep when moving between pages (filters). */
  keep: Record<string, string | undefined>;
}

/** Previous/next links; pagination always happens on the server. */
export function Pager({ path, page, pageSize, total, keep }: PagerProps): VNode {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(keep)) if (v) q.set(k, v);
    q.set('page', String(p));
    return `${path}?${q.toString()}`;
  };
  return (
    <nav class="pager" aria-label="Pages">
      {page > 1 ? <a href={href(page - 1)}>Previous page</a> : null}
      <span>
        Page {page} of {pages} ({total.toLocaleString('en-US')} in all)
      </span>
      {page < pages ? <a href={href(page + 1)}>Next page</a> : null}
    </nav>
  );
}

/** The sign-in form. It posts to /login, which checks the password like the API does. */
export function SignInPage({ next, failed }: { next: string; failed: boolean }): VNode {
  return (
    <Shell title="Sign in" currentPath="/login" nav={[]}>
      <p class="lead">These records describe children. Sign in with the account your agency gave you.</p>
      {failed ? (
        <p role="alert" class="note">
          The user name or password was not accepted. After repeated failures an account is locked for a
          while.
        </p>
      ) : null}
      <form method="post" action="/login" class="signin">
        <input type="hidden" name="next" value={next} />
        <div>
          <label for="username">User name</label>
          <input id="username" name="username" autoComplete="username" required />
        </div>
        <div>
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit">Sign in</button>
      </form>
    </Shell>
  );
}
