// A `bridge serve` process for benchmarks and drills: on a free port of this machine, with the
// demo secrets, ready when it answers /readyz; and a session cookie for a demo user.
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeProcess {
  base: string;
  /** True while the process runs. */
  alive(): boolean;
  stop(): Promise<void>;
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

/** Starts `bridge serve --no-worker` on `databaseUrl` and waits until it is ready (30 s at most). */
export async function startServe(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/bridge.js'), 'serve', '--no-worker', '--port', String(port)],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        BRIDGE_DEMO: '1',
        BRIDGE_LOG_LEVEL: 'fatal',
        // One client address makes every request here; the limit is not what is measured.
        BRIDGE_RATE_LIMIT_PER_MINUTE: '100000000',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
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
  return { base, alive: () => !exited, stop };
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
