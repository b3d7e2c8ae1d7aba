// The main thread's side of a sweep's worker thread: hands it pages of children (by their first
// child id) and gives back what it found for each, for the sweep to write in its transaction.
import { Worker } from 'node:worker_threads';
import type { ReleaseIndexData } from '../addresses/recurring.ts';
import type { RuleSettings } from './catalogue.ts';
import type { SweepContext } from './evaluate-children.ts';
import type { AlertClose, AlertUpdate } from './rules.queries.ts';
import type { NewestAddress } from '../notify/address-change.ts';

export interface SweepWorkerData {
  url: string;
  asOf: string;
  settings: RuleSettings;
  pageSize: number;
  /** False when the sweep began on an empty alert table: there are no open alerts to read. */
  readOpenAlerts: boolean;
  /** Whether each page also gives back its children's newest addresses. */
  newestAddresses: boolean;
}

/** A page of a sweep: the active children from `first` up to `before` (null: to the end). */
export interface PageBounds {
  first: string;
  before: string | null;
}

/** What a page changes: its new alerts already encoded for COPY (`alertCopyText`), and how many. */
export interface PageResult {
  children: number;
  opened: number;
  insertText: string;
  updates: AlertUpdate[];
  closes: AlertClose[];
  /** Each child's newest usable address, when the sweep asked for them. */
  newestAddresses?: Map<string, NewestAddress | null>;
}

export type FromWorker = { page: PageResult } | { error: string };

/** The sweep's context, as the main thread read it (SweepContext in plain arrays). */
export interface SharedContext {
  units: string[];
  releases: ReleaseIndexData;
}

export type ToWorker = PageBounds | { context: SharedContext } | { noContext: string } | { done: true };

export class SweepWorker {
  private readonly worker: Worker;
  private readonly inbox: FromWorker[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private stopping = false;
  private readonly exited: Promise<void>;

  constructor(data: SweepWorkerData) {
    // The entry registers tsx, so the worker runs the TypeScript sources as the main thread does.
    this.worker = new Worker(new URL('./sweep-worker-entry.mjs', import.meta.url), { workerData: data });
    this.worker.on('message', (m: FromWorker) => {
      this.inbox.push(m);
      this.notify();
    });
    this.worker.on('error', (e) => {
      this.failure ??= e;
      this.notify();
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        if (!this.stopping)
          this.failure ??= new Error(`the sweep's worker thread stopped (exit code ${code})`);
        this.notify();
        resolve();
      }),
    );
  }

  private notify() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async nextMessage(): Promise<FromWorker> {
    for (;;) {
      const m = this.inbox.shift();
      if (m) return m;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * Gives the worker pages from `take` until it returns null, two at a time (it reads the open alerts
   * of one while it evaluates the other), and passes each page's result to `apply`.
   */
  async run(take: () => PageBounds | null, apply: (page: PageResult) => Promise<void>): Promise<void> {
    let inFlight = 0;
    const send = () => {
      const page = take();
      if (page === null) return;
      this.worker.postMessage(page);
      inFlight++;
    };
    send();
    send();
    while (inFlight > 0) {
      const m = await this.nextMessage();
      inFlight--;
      if ('error' in m) throw new Error(`the sweep's worker thread failed: ${m.error}`);
      send();
      await apply(m.page);
    }
  }

  /** Hands over the context the main thread read; the worker's pages wait for it. */
  shareContext(context: SweepContext): void {
    const m: ToWorker = { context: { units: [...context.units], releases: context.releases.toData() } };
    this.worker.postMessage(m);
  }

  /** Tells the worker there will be no context: the pages waiting for it fail with the reason. */
  shareNoContext(reason: string): void {
    const m: ToWorker = { noContext: reason };
    this.worker.postMessage(m);
  }

  /** Lets the worker close its connections and end; ends it outright if it has not after 5 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.postMessage({ done: true });
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
