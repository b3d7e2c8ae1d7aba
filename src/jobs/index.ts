export { Worker, retryDelaySeconds, type JobHandler, type WorkerOptions } from './worker.ts';
export { insertJob as enqueueJob, countJobs, type JobRow } from './jobs.queries.ts';
