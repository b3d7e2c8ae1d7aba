// `bridge`: the command-line edge. A user error prints one line and exits non-zero; a stack trace
// only with --debug.
import { Command, CommanderError } from 'commander';
import { commandContext, type CommandContext } from './context.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerServeCommands } from './commands/serve.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerIdentityCommands } from './commands/identity.ts';
import { registerWorkCommands } from './commands/work.ts';
import { registerNotifyCommands } from './commands/notify.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerFeedCommands } from './commands/feeds.ts';
import { registerCasesCommands } from './commands/cases.ts';
import { registerReportCommands } from './commands/report.ts';
import { registerAccessCommands } from './commands/access.ts';
import { isBridgeError, toError } from '../shared/errors.ts';
import { version } from '../shared/version.ts';

const program = new Command('bridge')
  .description('UC Bridge: links the agency records of unaccompanied children and follows up every gap')
  .version(version)
  .option('--debug', 'print stack traces of errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

let context: CommandContext | undefined;
const ctx = () => (context ??= commandContext());

registerDbCommands(program, ctx);
registerServeCommands(program, ctx);
registerDemoCommand(program, ctx);
registerIdentityCommands(program, ctx);
registerWorkCommands(program, ctx);
registerNotifyCommands(program, ctx);
registerSimulateCommand(program, ctx);
registerFeedCommands(program, ctx);
registerCasesCommands(program, ctx);
registerReportCommands(program, ctx);
registerAccessCommands(program, ctx);

try {
  await program.parseAsync(process.argv);
} catch (thrown) {
  if (thrown instanceof CommanderError) {
    // Commander already printed help, version or a usage message.
    process.exitCode = thrown.exitCode === 0 ? 0 : 2;
  } else {
    const err = toError(thrown);
    const debug = process.argv.includes('--debug');
    if (isBridgeError(err)) {
      process.stderr.write(`bridge: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(
        `bridge: unexpected error: ${err.message}${debug ? '' : ' (run with --debug for details)'}\n`,
      );
      process.exitCode = 70;
    }
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
  }
}
