// `bridge users`, `bridge tokens` and `bridge audit`: accounts, agency tokens and the audit log.
import type { Command } from 'commander';
import { withDb, type CommandContext } from '../context.ts';
import { parseFormat, printRows, say } from '../output.ts';
import { BridgeError } from '../../shared/errors.ts';
// Loaded when an access command runs, so other commands do not pay for argon2 and the HTTP plugins.
const access = () => import('../../access/index.ts');

async function readPassword(fromEnv: string | undefined): Promise<string> {
  if (fromEnv) {
    const v = process.env[fromEnv];
    if (!v) throw new BridgeError('USAGE', `environment variable ${fromEnv} is empty`);
    return v;
  }
  // Read one line from standard input, so the password never appears in the process list.
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const v = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!v)
    throw new BridgeError(
      'USAGE',
      'give the password on standard input or name a variable with --password-env',
    );
  return v;
}

export function registerAccessCommands(program: Command, ctx: () => CommandContext): void {
  const users = program.command('users').description('user accounts (one role and office each)');
  users
    .command('add <username>')
    .description('add a user; the password is read from standard input (or --password-env VAR)')
    .requiredOption(
      '--role <role>',
      'orr_case_manager, ero_officer, ero_supervisor, opla_attorney, court_staff, oversight_auditor or administrator',
    )
    .option('--office <id>', 'office id (required for ERO officers: it sets which children they see)')
    .option('--name <display>', 'display name')
    .option('--password-env <var>', 'read the password from this environment variable')
    .action(
      async (username: string, o: { role: string; office?: string; name?: string; passwordEnv?: string }) => {
        const c = ctx();
        const a = await access();
        const password = await readPassword(o.passwordEnv);
        await withDb(c, (db) =>
          a.addUser(
            { db, clock: c.clock },
            { username, role: o.role, officeId: o.office ?? null, displayName: o.name, password },
          ),
        );
        say(`added ${username} (${o.role})`);
      },
    );
  users
    .command('list')
    .description('list users')
    .option('--format <format>', 'table, json or csv')
    .option('--json', 'same as --format json')
    .action(async (o: { format?: string; json?: boolean }) => {
      const c = ctx();
      const a = await access();
      const rows = await withDb(c, (db) => a.listUserSummaries({ db, clock: c.clock }));
      printRows(
        rows as unknown as Record<string, unknown>[],
        ['username', 'role', 'office', 'locked', 'lastLoginAt'],
        parseFormat(o.format, o.json),
      );
    });
  for (const [name, locked] of [
    ['lock', true],
    ['unlock', false],
  ] as const) {
    users
      .command(`${name} <username>`)
      .description(
        locked ? 'disable a user and end their sessions' : 'enable a user and clear failed sign-ins',
      )
      .action(async (username: string) => {
        const c = ctx();
        const a = await access();
        await withDb(c, (db) => a.setUserLocked({ db, clock: c.clock }, username, locked));
        say(`${username} ${locked ? 'locked' : 'unlocked'}`);
      });
  }
  users
    .command('seed-demo')
    .description('create one demo user per role with fresh passwords, and print the logins (stderr)')
    .action(async () => {
      const c = ctx();
      const a = await access();
      const logins = await withDb(c, (db) => a.seedDemoUsers({ db, clock: c.clock }));
      for (const l of logins) say(`${l.username.padEnd(26)} ${l.password}  (${l.role}, ${l.office})`);
    });

  const tokens = program.command('tokens').description('API tokens for agency systems (stored hashed)');
  tokens
    .command('create <name>')
    .description('create a token; it is printed once on standard output')
    .requiredOption('--permission <p>', 'feed.push or notify.receive')
    .requiredOption(
      '--resource <r>',
      'the feed source (cbp, ice, orr, opla, eoir) or subscription id it is bound to',
    )
    .requiredOption('--agency <a>', 'the agency the system belongs to (CBP, ICE, HHS, ORR, ERO, OPLA, EOIR)')
    .action(async (name: string, o: { permission: string; resource: string; agency: string }) => {
      const c = ctx();
      const a = await access();
      const t = await withDb(c, (db) =>
        a.createToken(
          { db, clock: c.clock },
          { name, permission: o.permission, resource: o.resource, agency: o.agency },
        ),
      );
      say(`token ${t.id} created; it is shown only now:`);
      process.stdout.write(t.secret + '\n');
    });
  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--format <format>', 'table, json or csv')
    .option('--json', 'same as --format json')
    .action(async (o: { format?: string; json?: boolean }) => {
      const c = ctx();
      const a = await access();
      const rows = await withDb(c, (db) => a.listTokens(db));
      printRows(
        rows as unknown as Record<string, unknown>[],
        ['id', 'name', 'permission', 'resource', 'agency', 'created_at', 'revoked_at', 'last_used_at'],
        parseFormat(o.format, o.json),
      );
    });
  tokens
    .command('revoke <id>')
    .description('revoke a token at once')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) throw new BridgeError('USAGE', `token id must be a number, got "${id}"`);
      const c = ctx();
      const a = await access();
      await withDb(c, (db) => a.revokeTokenById({ db, clock: c.clock }, Number(id)));
      say(`token ${id} revoked`);
    });

  const audit = program.command('audit').description('the append-only, hash-chained audit log');
  audit
    .command('verify')
    .description('check every entry of the hash chain; exits non-zero when an entry was changed or removed')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const c = ctx();
      const a = await access();
      const res = await withDb(c, (db) => a.verifyAudit(db));
      if (o.json) process.stdout.write(JSON.stringify(res, null, 2) + '\n');
      for (const p of res.problems.slice(0, 50)) say(`entry ${p.seq}: ${p.message}`);
      if (res.problems.length > 50) say(`... and ${res.problems.length - 50} more problems`);
      if (!res.ok)
        throw new BridgeError(
          'AUDIT_CHAIN_BROKEN',
          `audit log is NOT intact: ${res.problems.length} problem(s) in ${res.entries} entries`,
        );
      say(
        `audit log intact: ${res.entries} entries${res.head ? `, head ${res.head.seq} ${res.head.hash}` : ''}`,
      );
    });
  audit
    .command('who-accessed <childId>')
    .description("who opened, listed, exported or changed one child's record (newest first)")
    .option('--format <format>', 'table, json or csv')
    .option('--json', 'same as --format json')
    .action(async (childId: string, o: { format?: string; json?: boolean }) => {
      const c = ctx();
      const a = await access();
      const rows = await withDb(c, (db) => a.whoAccessed(db, childId));
      printRows(
        rows as unknown as Record<string, unknown>[],
        ['seq', 'at', 'actor', 'role', 'action', 'purpose', 'outcome'],
        parseFormat(o.format, o.json),
      );
    });
}
