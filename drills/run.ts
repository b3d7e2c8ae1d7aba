// `npm run drill -- NAME [options]`: runs drills/NAME.ts, a reliability drill that breaks something
// for real (a process, the database server, a receiver) and prints whether the service recovered.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run drill -- NAME [options]\n` +
      (name ? `no drill named "${name}". ` : '') +
      `Drills: ${available.join(', ')}\n`,
  );
  process.exit(2);
}
process.argv = [process.argv[0]!, path.join(here, `${name}.ts`), ...rest];
await import(`./${name}.ts`);
