// A `bridge serve` process for benchmarks and drills: on a free port of this machine, with the
// demo secrets, ready when it answers /readyz; and a session cookie for a demo user.
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeProcess {
  base: string;
  port: number;
  pid: number;
  /** True while the process runs. */
  alive(): boolean;
  /** SIGTERM: in-flight requests and jobs finish first. */
  stop(): Promise<void>;
  /** SIGKILL: the process ends at once, whatever it was doing. */
  kill(): Promise<void>;
  /** With `watchLog`: resolves at the first log line that matches (performance.now() then). */
  logged(pattern: RegExp): Promise<number>;
}

export interface ServeOptions {
  /** Run the background worker (jobs, projections, deliveries) in the process (default: no). */
  worker?: boolean;
  /** Listen on this port (default: a free one), e.g. the port of the process it replaces. */
  port?: number;
  /** Keep the process's log (level info) for `logged` instead of passing its standard error on. */
  watchLog?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Starts `bridge serve` (by default `--no-worker`) on a PostgreSQL URL or an embedded database folder
 * and waits until it is ready (30 s at most).
 */
export async function startServe(
  database: string | { dataDir: string },
  env: Record<string, string> = {},
  options: ServeOptions = {},
): Promise<ServeProcess> {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  // The script itself, not `node script`: it runs with the Node options of its first line, as
  // `npx bridge serve` does.
  const child = spawn(
    path.join(root, 'bin/bridge.js'),
    ['serve', ...(options.worker ? [] : ['--no-worker']), '--port', String(port)],
    {
      cwd: root,
      env: {
        ...process.env,
        ...(typeof database === 'string'
          ? { DATABASE_URL: database }
          : { DATABASE_URL: '', BRIDGE_DATA_DIR: database.dataDir }),
        BRIDGE_DEMO: '1',
        BRIDGE_LOG_LEVEL: 'fatal',
        // One client address makes every request here; the limit is not what is measured.
        BRIDGE_RATE_LIMIT_PER_MINUTE: '100000000',
        ...env,
        ...(options.watchLog ? { BRIDGE_LOG_LEVEL: 'info' } : {}),
      },
      stdio: ['ignore', 'ignore', options.watchLog ? 'pipe' : 'inherit'],
    },
  );
  const lines: { text: string; at: number }[] = [];
  const waiting = new Set<() => void>();
  let partial = '';
  child.stderr?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ text, at: performance.now() });
    for (const w of waiting) w();
  });
  const logged = (pattern: RegExp) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const hit = lines.find((l) => pattern.test(l.text));
        if (hit) {
          waiting.delete(check);
          resolve(hit.at);
        } else if (exited) {
          waiting.delete(check);
          reject(new Error(`bridge serve ended before logging ${pattern}`));
        }
      };
      waiting.add(check);
      check();
    });
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      for (const w of waiting) w();
      r();
    }),
  );
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  const kill = async () => {
    if (!exited) child.kill('SIGKILL');
    await exit;
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i >= 300 || exited) {
      await stop();
      throw new Error('bridge serve did not become ready in 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, port, pid: child.pid!, alive: () => !exited, stop, kill, logged };
}

/** Signs in over the API and returns the session cookie (`name=value`). */
export async function signIn(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('bridge_session='));
  if (!cookie) throw new Error('sign-in gave no session cookie');
  return cookie.split(';')[0]!;
}
