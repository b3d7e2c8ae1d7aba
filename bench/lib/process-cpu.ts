// CPU time of other processes on this machine (Linux), for benchmarks that load a server and want
// its cost per request next to the rate: user plus system time from /proc/PID/stat.
import fs from 'node:fs';

/** Clock ticks per second of /proc's times: 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far by each process of `pids` still running (a process gone counts 0). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15
  }
  return ticks / TICKS_PER_SECOND;
}

/** Whether this machine shows processes' CPU times (Linux). */
export const canReadProcessCpu = fs.existsSync('/proc/self/stat');

/** A process and its children (e.g. the serving processes `bridge serve --processes N` starts). */
export function withChildren(pid: number): number[] {
  const pids = [pid];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); // field 4
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}
