// `npm run drill -- kill-serve-push [--engine postgres|pglite] [--children N] [--seed S]
//   [--batch-size B] [--kill-at-batch K] [--kill-delay MS]`
// kill -9 of `bridge serve` (API and worker) while an agency system pushes batches of records over
// HTTP; the sender sends again what was not acknowledged. The stored state (source rows, records,
// quarantine, children, links, open alerts and tasks) must equal a clean run of the same pushes,
// and every notification of the outbox must reach the webhook receiver.
import { servePushDrill } from './lib/kill-drills.ts';
import { numberArg, report, whereArg } from './lib/drill-args.ts';

const batchSize = numberArg('batch-size', 200);
report(
  await servePushDrill({
    where: whereArg(),
    children: numberArg('children', 300),
    seed: numberArg('seed', 7),
    batchSize,
    killAtBatch: numberArg('kill-at-batch', 8),
    killDelayMs: numberArg('kill-delay', Math.floor(Math.random() * 200)),
  }),
);
