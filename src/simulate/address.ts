// US addresses for the simulation: written the way sponsors give them (suffixes spelled out or not,
// units inside the street line or in their own field), and the USPS Publication 28 normalization the
// truth report needs (its own, independent of the project's address module).
import { createRequire } from 'node:module';
import type { Rng } from './random.ts';
import { directionals, streetNames, streetSuffixes } from './names.ts';
import { stripAccents } from './noise.ts';

interface ZipEntry {
  zip: string;
  city: string;
  state: string;
  country: string;
}
// Loaded on first use: 44,000 ZIP codes are not worth loading for every `bridge` command.
const loadZipcodes = () => createRequire(import.meta.url)('zipcodes') as { codes: Record<string, ZipEntry> };

let zipsByState: Map<string, ZipEntry[]> | undefined;
let statesByPrefix: Map<string, Set<string>> | undefined;

function loadZips() {
  if (zipsByState && statesByPrefix) return { zipsByState, statesByPrefix };
  const zipcodes = loadZipcodes();
  zipsByState = new Map();
  statesByPrefix = new Map();
  for (const key of Object.keys(zipcodes.codes).sort()) {
    const e = zipcodes.codes[key]!;
    if (e.country !== 'US' || !/^\d{5}$/.test(e.zip)) continue;
    let list = zipsByState.get(e.state);
    if (!list) zipsByState.set(e.state, (list = []));
    list.push(e);
    const prefix = e.zip.slice(0, 3);
    let states = statesByPrefix.get(prefix);
    if (!states) statesByPrefix.set(prefix, (states = new Set()));
    states.add(e.state);
  }
  return { zipsByState, statesByPrefix };
}

export const uspsStates = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP AA AE AP'.split(
    ' ',
  ),
);

/** An address as written in a feed: every part may be blank. */
export interface Address {
  street: string;
  unit: string;
  city: string;
  state: string;
  zip: string;
}

export const blankAddress: Address = { street: '', unit: '', city: '', state: '', zip: '' };

/** A place: a street line and ZIP, the parts that identify a building. */
export interface Place {
  number: number;
  dir: number; // index into directionals, or -1
  street: string;
  suffix: number; // index into streetSuffixes
  city: string;
  state: string;
  zip: string;
}

export function randomPlace(rng: Rng, state: string): Place {
  const zips = loadZips().zipsByState.get(state) ?? loadZips().zipsByState.get('TX')!;
  const z = rng.pick(zips);
  return {
    number: rng.between(10, 9999),
    dir: rng.chance(0.2) ? rng.int(directionals.length) : -1,
    street: rng.pick(streetNames),
    suffix: rng.int(streetSuffixes.length),
    city: z.city.toUpperCase(),
    state: z.state,
    zip: z.zip,
  };
}

/** Writes a place (and unit) as a person would: spelled-out or abbreviated, unit in the line or not. */
export function writeAddress(rng: Rng, place: Place, unit: string, mixed: boolean): Address {
  const dir = place.dir >= 0 ? rng.pick(directionals[place.dir]![0]) + ' ' : '';
  const suffix = rng.pick(streetSuffixes[place.suffix]![0]);
  const name = mixed ? place.street[0] + place.street.slice(1).toLowerCase() : place.street;
  let street = `${place.number} ${dir}${name} ${suffix}`;
  let unitField = '';
  if (unit) {
    const designator = rng.pick(['Apt ', 'Apartment ', '#', 'Unit ', 'APT ', '']);
    const written = designator + unit;
    if (rng.chance(0.3) && designator !== '') street += ' ' + written;
    else unitField = written;
  }
  if (!mixed) street = street.toUpperCase();
  const city = mixed ? place.city.replace(/\B\w+/g, (w) => w.toLowerCase()) : place.city;
  const zip = rng.chance(0.05) ? `${place.zip}-${String(rng.between(1, 9999)).padStart(4, '0')}` : place.zip;
  return { street, unit: mixed ? unitField : unitField.toUpperCase(), city, state: place.state, zip };
}

/** A ZIP in another state than `state` (for invalid addresses). */
export function foreignZip(rng: Rng, state: string): string {
  const other = state === 'TX' ? 'NY' : 'TX';
  return rng.pick(loadZips().zipsByState.get(other)!).zip;
}

const suffixMap = new Map<string, string>();
for (const [written, usps] of streetSuffixes) for (const w of written) suffixMap.set(clean(w), usps);
for (const [s, usps] of [
  ['STREET', 'ST'],
  ['AVENUE', 'AVE'],
  ['ROAD', 'RD'],
  ['DRIVE', 'DR'],
  ['BOULEVARD', 'BLVD'],
  ['LANE', 'LN'],
  ['COURT', 'CT'],
  ['PLACE', 'PL'],
  ['HIGHWAY', 'HWY'],
  ['PARKWAY', 'PKWY'],
  ['CIRCLE', 'CIR'],
  ['TERRACE', 'TER'],
] as const)
  suffixMap.set(s, usps);
const dirMap = new Map([
  ['NORTH', 'N'],
  ['SOUTH', 'S'],
  ['EAST', 'E'],
  ['WEST', 'W'],
  ['NORTHEAST', 'NE'],
  ['NORTHWEST', 'NW'],
  ['SOUTHEAST', 'SE'],
  ['SOUTHWEST', 'SW'],
]);
const unitDesignators = /(?:^|\s)(?:APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|#)\s*#?\s*([A-Z0-9-]+)$/;

function clean(s: string): string {
  return stripAccents(s)
    .toUpperCase()
    .replace(/#/g, ' # ')
    .replace(/[^A-Z0-9# -]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A unit's identifier alone: `Apt 5`, `Apartment 5`, `#5`, `Unit 5` and `5` are all `5`. */
export function unitId(unit: string): string {
  const u = clean(unit);
  if (!u) return '';
  const m = /^(?:APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|#)?\s*#?\s*([A-Z0-9-]+)$/.exec(u);
  return m ? m[1]! : u;
}

export interface NormalizedAddress {
  line: string;
  unit: string;
  zip5: string;
}

/** USPS-style normalization of the street line, unit and ZIP. */
export function normalizeAddress(a: Address): NormalizedAddress {
  let line = clean(a.street);
  let unit = unitId(a.unit);
  const m = unitDesignators.exec(line);
  if (m) {
    if (!unit) unit = m[1]!;
    line = line.slice(0, m.index).trim();
  }
  line = line
    .split(' ')
    .map((t, i, all) => {
      if (i === all.length - 1 && suffixMap.has(t)) return suffixMap.get(t)!;
      return dirMap.get(t) ?? t;
    })
    .join(' ');
  const zip = a.zip.trim();
  return { line, unit, zip5: /^\d{5}/.test(zip) ? zip.slice(0, 5) : zip };
}

export type AddressDefect = 'blank' | 'invalid';

/** Blank (no street or no ZIP) or invalid (ZIP form, state code, or ZIP prefix not of that state). */
export function staticDefect(a: Address): AddressDefect | null {
  if (!a.street.trim() || !a.zip.trim()) return 'blank';
  const zip = a.zip.trim();
  const state = a.state.trim().toUpperCase();
  if (!/^\d{5}(-?\d{4})?$/.test(zip)) return 'invalid';
  if (!uspsStates.has(state)) return 'invalid';
  const states = loadZips().statesByPrefix.get(zip.slice(0, 3));
  if (!states || !states.has(state)) return 'invalid';
  return null;
}
