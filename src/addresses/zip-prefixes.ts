// The 3-digit ZIP prefixes USPS assigns to each state, derived from the `zipcodes` package (USPS
// ZIP list with city and state). One place for both the per-child address checks and the report's
// set-based SQL, which receives these pairs as a query parameter (see src/reports).
import { createRequire } from 'node:module';

interface ZipEntry {
  zip: string;
  state: string;
}

let byState: ReadonlyMap<string, ReadonlySet<string>> | undefined;

/** State code → the 3-digit prefixes of its ZIP codes (built once from the package, then cached). */
export function zipPrefixesByState(): ReadonlyMap<string, ReadonlySet<string>> {
  if (byState) return byState;
  // Loaded on first use: the ZIP table is large and most commands never need it.
  const zipcodes = createRequire(import.meta.url)('zipcodes') as { codes: Record<string, ZipEntry> };
  const map = new Map<string, Set<string>>();
  for (const [zip, entry] of Object.entries(zipcodes.codes)) {
    // The package also holds Canadian postal codes; only US 5-digit ZIPs count here.
    if (!/^\d{5}$/.test(zip) || !/^[A-Z]{2}$/.test(entry.state)) continue;
    let set = map.get(entry.state);
    if (!set) map.set(entry.state, (set = new Set()));
    set.add(zip.slice(0, 3));
  }
  byState = map;
  return map;
}

/** USPS state and territory codes (50 states, DC, territories, military APO/FPO codes). */
export function uspsStateCodes(): readonly string[] {
  return [...zipPrefixesByState().keys()].sort();
}

/** True when `state` is a USPS code. */
export function isUspsState(state: string): boolean {
  return zipPrefixesByState().has(state);
}

/** True when the first three digits of `zip` are a prefix USPS assigns to `state`. */
export function isZipPrefixOfState(state: string, zip: string): boolean {
  return zipPrefixesByState().get(state)?.has(zip.slice(0, 3)) ?? false;
}

/** Every (state, prefix) pair as `"TX:770"` strings, sorted: the form the report's SQL receives. */
export function zipPrefixPairs(): string[] {
  const pairs: string[] = [];
  for (const [state, prefixes] of zipPrefixesByState()) for (const p of prefixes) pairs.push(`${state}:${p}`);
  return pairs.sort();
}
