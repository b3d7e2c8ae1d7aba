// `bridge simulate OUT_DIR`: a synthetic population's five agency feeds and its truth.
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { say } from '../output.ts';
import { createProgress } from '../../shared/progress.ts';
import { BridgeError } from '../../shared/errors.ts';
import { noiseLevels, type NoiseLevel } from '../../simulate/noise.ts';

interface SimulateFlags {
  children?: string;
  fromFy: string;
  toFy: string;
  seed: string;
  asOf?: string;
  truthDates?: string;
  noise: string;
  json?: boolean;
  quiet?: boolean;
}

function wholeNumber(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value))
    throw new BridgeError('USAGE', `${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

export function registerSimulateCommand(program: Command, _ctx: () => CommandContext): void {
  program
    .command('simulate')
    .description(
      'write a synthetic population: the five agency feeds and the truth (links, children, report, rule counts)',
    )
    .argument('<out-dir>', 'folder to write the feed files and truth/ into')
    .option('--children <n>', 'children to generate (default: the full population of the fiscal years)')
    .option('--from-fy <year>', 'first fiscal year', '2019')
    .option('--to-fy <year>', 'last fiscal year', '2023')
    .option('--seed <n>', 'random seed: the same seed gives the same bytes', '1')
    .option('--as-of <date>', 'extraction date of the feeds, YYYY-MM-DD (default: 31 May after the last FY)')
    .option(
      '--truth-dates <dates>',
      'comma-separated dates for truth/report-YYYY-MM-DD.json and truth/rules-YYYY-MM-DD.json (default: --as-of)',
    )
    .option('--noise <level>', `noise level: ${Object.keys(noiseLevels).join(' or ')}`, 'default')
    .option('--json', 'print a summary as JSON to standard output')
    .option('--quiet', 'no progress on standard error')
    .action(async (outDir: string, flags: SimulateFlags) => {
      // Imported here so that other commands do not load the simulation.
      const { simulate, fullPopulation } = await import('../../simulate/index.ts');
      const fromFy = wholeNumber('--from-fy', flags.fromFy);
      const toFy = wholeNumber('--to-fy', flags.toFy);
      if (!(flags.noise in noiseLevels))
        throw new BridgeError(
          'USAGE',
          `--noise must be ${Object.keys(noiseLevels).join(' or ')}, got "${flags.noise}"`,
        );
      const children = flags.children ? wholeNumber('--children', flags.children) : undefined;
      const progress = createProgress({
        label: 'simulate',
        unit: 'children',
        total: children ?? fullPopulation(fromFy, toFy),
        quiet: flags.quiet,
      });
      const summary = await simulate({
        outDir,
        children,
        fromFy,
        toFy,
        seed: wholeNumber('--seed', flags.seed),
        asOf: flags.asOf,
        truthDates: flags.truthDates
          ?.split(',')
          .map((d) => d.trim())
          .filter(Boolean),
        noise: flags.noise as NoiseLevel,
        progress,
      });
      say(
        `wrote ${summary.children} children, ${summary.rows} rows in ${Object.keys(summary.files).length} files to ${outDir} ` +
          `(truth in ${outDir}/truth) in ${summary.seconds.toFixed(1)}s`,
      );
      if (flags.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    });
}
