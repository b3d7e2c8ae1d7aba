// Every job queue the workers serve, and the domain use case that handles it.
import type { JobHandler } from './worker.ts';

export function jobHandlers(): Record<string, JobHandler> {
  return {};
}
