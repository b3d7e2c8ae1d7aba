// Progress for long commands, always on standard error so standard output stays machine-readable:
// a bar with counts and rate on a terminal, plain periodic lines otherwise.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Adds `n` items done. */
  tick(n?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Seconds between plain lines when not on a terminal. */
  intervalSeconds?: number;
  quiet?: boolean;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'rows';
  if (options.quiet) return { tick() {}, setTotal() {}, stop() {} };
  const started = Date.now();
  let done = 0;
  let total = options.total ?? 0;
  const rate = () => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${options.label} [{bar}] {value}/{total} ${unit} | {rate}/s | {duration_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      tick(n = 1) {
        done += n;
        if (done > total) bar.setTotal((total = done));
        bar.update(done, { rate: rate() });
      },
      setTotal(t) {
        total = t;
        bar.setTotal(t);
      },
      stop() {
        bar.stop();
      },
    };
  }

  const every = (options.intervalSeconds ?? 5) * 1000;
  let last = started;
  const line = () =>
    stream.write(
      `${options.label}: ${done}${total ? `/${total}` : ''} ${unit}, ${rate()}/s, ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
    );
  return {
    tick(n = 1) {
      done += n;
      const now = Date.now();
      if (now - last >= every) {
        last = now;
        line();
      }
    },
    setTotal(t) {
      total = t;
    },
    stop() {
      if (Date.now() - started >= every) line();
    },
  };
}
