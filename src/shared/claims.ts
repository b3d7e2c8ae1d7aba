// Jobs and deliveries are claimed in the holder's name, `host:pid:...`. A holder on this machine whose
// process no longer runs (kill -9, a crash) will never finish: its claims can be taken back at once
// instead of after the time that covers holders on other machines, which cannot be checked.
import os from 'node:os';

/** Whether a process with this id runs on this machine. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holders among `holders` that ran on this machine in a process that has ended. */
export function deadLocalHolders(holders: readonly string[], host = os.hostname()): string[] {
  return holders.filter((h) => {
    const [holderHost, pidText] = h.split(':');
    const pid = Number(pidText);
    return holderHost === host && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid);
  });
}
