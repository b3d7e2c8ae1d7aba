// `npm run bench -- NAME [options]`: runs bench/NAME.ts, which prints a table of its figures next
// to a baseline measured in the same run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run bench -- NAME [options]\n` +
      (name ? `no benchmark named "${name}". ` : '') +
      `Benchmarks: ${available.join(', ') || '(none yet)'}\n`,
  );
  process.exit(2);
}
process.argv = [process.argv[0]!, path.join(here, `${name}.ts`), ...rest];
await import(`./${name}.ts`);
