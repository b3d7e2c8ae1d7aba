// `npm run drill -- kill-worker [--engine postgres|pglite] [--children N] [--seed S]
//   [--projections-at F] [--deliveries-at F]`
// Records stored and queued while no worker runs; then the worker (`bridge serve` with its
// in-process worker) is started and killed with kill -9 three times: in the middle of the
// projections, after the links are written (at F of the time the clean run took from there to its
// first message: rules, notifications, report facts); at the next message, while the tasks sync;
// and in the middle of the webhook deliveries (once F of the messages have arrived). It is
// restarted after each. The state, history
// included (closed alerts, tasks, events), must equal the clean run's, and every message must reach
// the receiver, which records each with its idempotency key.
import { workerDrill } from './lib/kill-drills.ts';
import { numberArg, report, whereArg } from './lib/drill-args.ts';

report(
  await workerDrill({
    where: whereArg(),
    children: numberArg('children', 300),
    seed: numberArg('seed', 7),
    projectionsAt: numberArg('projections-at', 0.2 + Math.random() * 0.6),
    deliveriesAt: numberArg('deliveries-at', 0.2 + Math.random() * 0.6),
  }),
);
