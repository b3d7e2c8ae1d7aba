// ZIP 3-digit prefix → the USPS state codes it is assigned to. A few prefixes serve two states
// (063 CT/NY, 205 DC/MD/VA).
import { zipPrefixesByState } from './zip-prefixes.ts';

let table: Map<string, Set<string>> | undefined;

// The same USPS data as the report's SQL uses (zip-prefixes.ts), looked up the other way round.
function load(): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const [state, prefixes] of zipPrefixesByState()) {
    for (const p of prefixes) {
      let s = m.get(p);
      if (!s) m.set(p, (s = new Set()));
      s.add(state);
    }
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
