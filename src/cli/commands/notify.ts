// `bridge subscriptions add|list|remove|enable` and `bridge deliveries list|attempts|replay|digest`.
import type { Command } from 'commander';
import type { Queryable } from '../../db/index.ts';
import type { CommandContext } from '../context.ts';
import { withDb } from '../context.ts';
import { auditedAct, cliActor } from '../../access/disclosure.ts';
import { parseFormat, printRows, say } from '../output.ts';
import { BridgeError } from '../../shared/errors.ts';
import {
  addSubscription,
  enableSubscription,
  foldDigests,
  listAttempts,
  listDeliveries,
  listSubscriptions,
  removeSubscription,
  replayDeadLetter,
} from '../../notify/index.ts';

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

function id(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new BridgeError('USAGE', `${what} must be a positive number, got "${value}"`);
  return n;
}

const SUB_COLUMNS = [
  'id',
  'agency',
  'name',
  'channel',
  'target',
  'event_types',
  'offices',
  'states',
  'min_severity',
  'status',
  'disabled_reason',
];
const DELIVERY_COLUMNS = [
  'id',
  'subscription_id',
  'agency',
  'channel',
  'event_type',
  'status',
  'attempts',
  'max_attempts',
  'last_status_code',
  'last_latency_ms',
  'last_error',
  'next_attempt_at',
  'created_at',
  'delivered_at',
];

export function registerNotifyCommands(program: Command, ctx: () => CommandContext): void {
  /** Changes the subscription or delivery numbered `value` as an audited act, then says what was done. */
  const auditedChange = async <R extends { id: number }>(
    kind: 'subscription' | 'delivery',
    value: string,
    action: string,
    change: (tx: Queryable, id: number) => Promise<R>,
    done: (row: R) => string,
  ): Promise<void> => {
    const c = ctx();
    await withDb(c, async (db) => {
      const row = await auditedAct(
        db,
        c.clock,
        cliActor(),
        action,
        (tx) => change(tx, id(value, `${kind} id`)),
        (r) => ({ target: `${kind}:${r.id}` }),
      );
      say(done(row));
    });
  };

  const subs = program
    .command('subscriptions')
    .description('who receives which events (webhooks and e-mail)');

  subs
    .command('add')
    .description('subscribe an agency system (webhook) or a person or office (e-mail) to kinds of events')
    .requiredOption(
      '--agency <agency>',
      'ORR, ICE_ERO, ICE_OPLA, EOIR or OVERSIGHT (decides which fields are sent)',
    )
    .requiredOption('--name <name>', 'what this subscription is, for people')
    .option('--webhook <url>', 'endpoint that receives signed CloudEvents')
    .option('--email <address>', 'mailbox: critical events at once, others in a daily digest')
    .requiredOption('--events <types>', 'comma-separated event types, or * for all')
    .option('--office <offices>', 'only events for these offices (comma-separated)')
    .option('--state <states>', 'only events in these states (comma-separated)')
    .option('--min-severity <severity>', 'info, warning or critical', 'info')
    .option('--json', 'print JSON to standard output')
    .action(
      async (opts: {
        agency: string;
        name: string;
        webhook?: string;
        email?: string;
        events: string;
        office?: string;
        state?: string;
        minSeverity: string;
        json?: boolean;
      }) => {
        const c = ctx();
        await withDb(c, async (db) => {
          const { subscription, secret } = await auditedAct(
            db,
            c.clock,
            cliActor(),
            'notify.subscribe',
            (tx) =>
              addSubscription(tx, {
                agency: opts.agency,
                name: opts.name,
                webhookUrl: opts.webhook,
                email: opts.email,
                eventTypes: list(opts.events) ?? [],
                offices: list(opts.office),
                states: list(opts.state),
                minSeverity: opts.minSeverity,
              }),
            (r) => ({ target: `subscription:${r.subscription.id}` }),
          );
          if (opts.json) {
            process.stdout.write(JSON.stringify({ ...subscription, secret }, null, 2) + '\n');
          } else {
            say(`subscription ${subscription.id} added for ${subscription.agency}`);
            // The receiver needs the secret to verify signatures; it is shown this once.
            if (secret) process.stdout.write(`${secret}\n`);
            if (secret)
              say('the line above is the signing secret: give it to the receiver now; it is not shown again');
          }
        });
      },
    );

  subs
    .command('list')
    .description('list subscriptions (secrets are never shown)')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .action(async (opts: { json?: boolean; format?: string }) => {
      const c = ctx();
      const format = parseFormat(opts.format, opts.json);
      await withDb(c, async (db) => {
        const rows = (await listSubscriptions(db)).map((r) => ({
          ...r,
          // Lists read better as "a,b" in a table or CSV cell; JSON keeps them as arrays.
          ...(format === 'json'
            ? {}
            : {
                event_types: r.event_types.join(','),
                offices: r.offices?.join(','),
                states: r.states?.join(','),
              }),
        }));
        printRows(rows, SUB_COLUMNS, format);
      });
    });

  // Commands that change one subscription.
  const changes = [
    {
      name: 'remove',
      description: 'stop sending to a subscription (its delivery history is kept)',
      action: 'notify.unsubscribe',
      change: removeSubscription,
      done: 'removed',
    },
    {
      name: 'enable',
      description: 'send to a disabled subscription again (for example after its endpoint answered 410)',
      action: 'notify.enable',
      change: enableSubscription,
      done: 'enabled',
    },
  ] as const;
  for (const { name, description, action, change, done } of changes) {
    subs
      .command(name)
      .description(description)
      .argument('<id>', 'subscription id')
      .action((value: string) =>
        auditedChange('subscription', value, action, change, (row) => `subscription ${row.id} ${done}`),
      );
  }

  const del = program.command('deliveries').description('the delivery log: what was sent, retried, or dead');

  del
    .command('list')
    .description('list deliveries, newest first')
    .option('--status <status>', 'pending, delivering, delivered, dead, digest or digested')
    .option('--subscription <id>', 'only this subscription')
    .option('--limit <n>', 'at most this many rows', '1000')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .action(
      async (opts: {
        status?: string;
        subscription?: string;
        limit: string;
        json?: boolean;
        format?: string;
      }) => {
        const c = ctx();
        const format = parseFormat(opts.format, opts.json);
        await withDb(c, async (db) => {
          const rows = await listDeliveries(db, {
            status: opts.status,
            subscriptionId: opts.subscription ? id(opts.subscription, 'subscription id') : undefined,
            limit: id(opts.limit, '--limit'),
          });
          say(`${rows.length} deliver${rows.length === 1 ? 'y' : 'ies'}`);
          printRows(rows as unknown as Record<string, unknown>[], DELIVERY_COLUMNS, format);
        });
      },
    );

  del
    .command('attempts')
    .description('every attempt of one delivery: status code, latency, error')
    .argument('<id>', 'delivery id')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .action(async (value: string, opts: { json?: boolean; format?: string }) => {
      const c = ctx();
      const format = parseFormat(opts.format, opts.json);
      await withDb(c, async (db) => {
        const rows = await listAttempts(db, id(value, 'delivery id'));
        printRows(
          rows as unknown as Record<string, unknown>[],
          ['attempt', 'started_at', 'latency_ms', 'status_code', 'outcome', 'error', 'worker'],
          format,
        );
      });
    });

  del
    .command('replay')
    .description('send a dead letter again, with the same idempotency key and a fresh set of attempts')
    .argument('<id>', 'delivery id')
    .action((value: string) =>
      auditedChange(
        'delivery',
        value,
        'notify.replay',
        replayDeadLetter,
        (row) => `delivery ${row.id} queued again; a running worker sends it`,
      ),
    );

  del
    .command('digest')
    .description('fold the waiting non-critical e-mail events into digests now (normally daily)')
    .action(async () => {
      const c = ctx();
      await withDb(c, async (db) => {
        const n = await foldDigests(db);
        say(`${n} digest(s) queued`);
      });
    });
}
