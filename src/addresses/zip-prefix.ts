// ZIP 3-digit prefix → the USPS state codes it is assigned to, derived once from the `zipcodes`
// package (US ZIP codes with their state). A few prefixes serve two states (063 CT/NY, 205 DC/MD/VA).
import { createRequire } from 'node:module';

interface ZipEntry {
  zip: string;
  state: string;
  country?: string;
}

let table: Map<string, Set<string>> | undefined;

function load(): Map<string, Set<string>> {
  const require = createRequire(import.meta.url);
  const { codes } = require('zipcodes/lib/codes.js') as { codes: Record<string, ZipEntry> };
  const m = new Map<string, Set<string>>();
  for (const [zip, e] of Object.entries(codes)) {
    if (!/^\d{5}$/.test(zip) || (e.country && e.country !== 'US')) continue;
    const p = zip.slice(0, 3);
    let s = m.get(p);
    if (!s) m.set(p, (s = new Set()));
    s.add(e.state);
  }
  return m;
}

/** The states a ZIP prefix is assigned to (empty when USPS assigns the prefix to none). */
export function statesOfZipPrefix(prefix: string): ReadonlySet<string> {
  table ??= load();
  return table.get(prefix) ?? new Set();
}

/** USPS two-letter codes: states, DC, territories and freely associated states, military. */
export const USPS_STATE_CODES: ReadonlySet<string> = new Set(
  (
    'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM ' +
    'NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI FM MH PW AA AE AP'
  ).split(' '),
);
