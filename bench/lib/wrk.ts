// wrk (Debian's package `wrk`) as a load generator: C concurrent keep-alive connections on one
// thread, rotating over a list of paths through a Lua script, with its figures and its own CPU
// time. Written in C, it takes a fraction of the CPU per request that autocannon does, and on a
// machine where the load generator shares the cores with the server that CPU is the server's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

export interface LoadResult {
  requests: number;
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** Connection errors, timeouts and answers other than 2xx/3xx. */
  errors: number;
  /** CPU seconds the load generator used. */
  cpuSeconds: number;
}

/** Whether `wrk` is on the PATH. */
export function haveWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

const luaString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A request of the rotation: its path, or its path and headers of its own (a session, say). */
export type LoadRequest = string | { path: string; headers: Record<string, string> };

const luaRequest = (r: LoadRequest) =>
  typeof r === 'string'
    ? `{ ${luaString(r)} }`
    : `{ ${luaString(r.path)}, { ${Object.entries(r.headers)
        .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
        .join(', ')} } }`;

/** Runs wrk for `seconds` against `base` + each of `paths` in turn. */
export async function runWrk(options: {
  base: string;
  paths: readonly LoadRequest[];
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}): Promise<LoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wrk-'));
  const script = path.join(dir, 'rotate.lua');
  fs.writeFileSync(
    script,
    `local requests = { ${options.paths.map(luaRequest).join(', ')} }
local i = 0
-- The run's headers (-H), then the request's own.
local function headers(own)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(own) do h[k] = v end
  return h
end
request = function()
  i = i + 1
  local r = requests[(i % #requests) + 1]
  return wrk.format("GET", r[1], r[2] and headers(r[2]) or nil)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`,
  );
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    ...Object.entries(options.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    options.base,
  ];
  try {
    // `times` after wrk ends prints the CPU time of the shell's children: wrk's own.
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('bash', ['-c', 'wrk "$@" && times', 'wrk', ...args], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`)),
      );
    });
    const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${out}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length)) as {
      requests: number;
      duration_us: number;
      p50_us: number;
      p99_us: number;
      errors: number;
    };
    const times = out.trim().split('\n').at(-1)!.split(/\s+/);
    const seconds = (t: string) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
    };
    return {
      requests: r.requests,
      rps: Math.round(r.requests / (r.duration_us / 1e6)),
      p50: Math.round(r.p50_us / 100) / 10,
      p99: Math.round(r.p99_us / 100) / 10,
      errors: r.errors,
      cpuSeconds: seconds(times[0]!) + seconds(times[1]!),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
