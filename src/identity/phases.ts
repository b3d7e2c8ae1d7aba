// Where a linking run spends its time: wall and process CPU seconds of each step, for logs and the
// link benchmark (CPU seconds are less distorted than wall time when other work shares the machine).
export interface Phase {
  phase: string;
  seconds: number;
  cpuSeconds: number;
}

export class Phases {
  readonly list: Phase[] = [];
  private wall = performance.now();
  private cpu = process.cpuUsage();

  /** Ends the current step under `phase` and starts the next. */
  mark(phase: string): void {
    const c = process.cpuUsage(this.cpu);
    this.list.push({
      phase,
      seconds: (performance.now() - this.wall) / 1000,
      cpuSeconds: (c.user + c.system) / 1e6,
    });
    this.wall = performance.now();
    this.cpu = process.cpuUsage();
  }
}
