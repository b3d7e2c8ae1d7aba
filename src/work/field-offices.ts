// ICE ERO field offices (areas of responsibility) and the office for an address. Whole states map
// to one office; Texas, California and New York are split by ZIP prefix as documented below. Pure.

export const FIELD_OFFICES = [
  'Atlanta',
  'Baltimore',
  'Boston',
  'Buffalo',
  'Chicago',
  'Dallas',
  'Denver',
  'Detroit',
  'El Paso',
  'Harlingen',
  'Houston',
  'Los Angeles',
  'Miami',
  'New Orleans',
  'New York City',
  'Newark',
  'Philadelphia',
  'Phoenix',
  'Salt Lake City',
  'San Antonio',
  'San Diego',
  'San Francisco',
  'Seattle',
  'St. Paul',
  'Washington',
] as const;

export type FieldOffice = (typeof FIELD_OFFICES)[number];

const BY_STATE: Record<string, FieldOffice> = {
  GA: 'Atlanta', NC: 'Atlanta', SC: 'Atlanta',
  MD: 'Baltimore',
  CT: 'Boston', ME: 'Boston', MA: 'Boston', NH: 'Boston', RI: 'Boston', VT: 'Boston',
  IL: 'Chicago', IN: 'Chicago', KS: 'Chicago', KY: 'Chicago', MO: 'Chicago', WI: 'Chicago',
  OK: 'Dallas',
  CO: 'Denver', WY: 'Denver',
  MI: 'Detroit', OH: 'Detroit',
  NM: 'El Paso',
  FL: 'Miami', PR: 'Miami', VI: 'Miami',
  AL: 'New Orleans', AR: 'New Orleans', LA: 'New Orleans', MS: 'New Orleans', TN: 'New Orleans',
  NJ: 'Newark',
  DE: 'Philadelphia', PA: 'Philadelphia', WV: 'Philadelphia',
  AZ: 'Phoenix',
  ID: 'Salt Lake City', MT: 'Salt Lake City', NV: 'Salt Lake City', UT: 'Salt Lake City',
  HI: 'San Francisco', GU: 'San Francisco', MP: 'San Francisco',
  AK: 'Seattle', OR: 'Seattle', WA: 'Seattle',
  IA: 'St. Paul', MN: 'St. Paul', NE: 'St. Paul', ND: 'St. Paul', SD: 'St. Paul',
  DC: 'Washington', VA: 'Washington',
}; // prettier-ignore

/** A split state's ZIP-prefix ranges (inclusive, 3 digits) and the office of each. */
export interface PrefixRange {
  from: string;
  to: string;
  office: FieldOffice;
}

// Texas: El Paso takes far west TX (El Paso, Midland/Odessa); Harlingen the Rio Grande Valley and
// the Coastal Bend (McAllen, Brownsville, Laredo, Corpus Christi); Houston the southeast (Houston,
// Galveston, Beaumont, Bryan, Victoria); San Antonio central and south TX (San Antonio, Austin,
// Waco, San Angelo); Dallas north TX and the Panhandle (Dallas, Fort Worth, Tyler, Amarillo,
// Lubbock, Abilene). 739 is the Texas Panhandle part of an Oklahoma prefix.
export const TX_SPLIT: readonly PrefixRange[] = [
  { from: '733', to: '733', office: 'San Antonio' },
  { from: '739', to: '739', office: 'Dallas' },
  { from: '750', to: '764', office: 'Dallas' },
  { from: '765', to: '769', office: 'San Antonio' },
  { from: '770', to: '779', office: 'Houston' },
  { from: '780', to: '782', office: 'San Antonio' },
  { from: '783', to: '785', office: 'Harlingen' },
  { from: '786', to: '789', office: 'San Antonio' },
  { from: '790', to: '796', office: 'Dallas' },
  { from: '797', to: '799', office: 'El Paso' },
  { from: '885', to: '885', office: 'El Paso' },
];
const TX_DEFAULT: FieldOffice = 'San Antonio';

// California: San Diego County (919-921) and Imperial County (the 922xx ZIPs listed below; the rest
// of 922 is Riverside County) go to San Diego; northern CA from Monterey and the Bay Area north
// (939-961) to San Francisco; central and southern CA to Los Angeles.
export const CA_SPLIT: readonly PrefixRange[] = [
  { from: '919', to: '921', office: 'San Diego' },
  { from: '939', to: '961', office: 'San Francisco' },
];
export const IMPERIAL_COUNTY_ZIPS: ReadonlySet<string> = new Set([
  '92222', '92227', '92231', '92232', '92233', '92243', '92244', '92249', '92250', '92251',
  '92257', '92259', '92266', '92273', '92274', '92275', '92281', '92283',
]); // prettier-ignore
const CA_DEFAULT: FieldOffice = 'Los Angeles';

// New York: New York City and the counties the NYC office covers (Long Island 005, 063 and 110-119;
// Westchester, Rockland, Putnam, Orange 105-109; Ulster, Dutchess, Sullivan 124-127) go to New York
// City; the rest of the state to Buffalo.
export const NY_SPLIT: readonly PrefixRange[] = [
  { from: '005', to: '005', office: 'New York City' },
  { from: '063', to: '063', office: 'New York City' },
  { from: '100', to: '119', office: 'New York City' },
  { from: '124', to: '127', office: 'New York City' },
];
const NY_DEFAULT: FieldOffice = 'Buffalo';

const SPLIT: Record<string, { ranges: readonly PrefixRange[]; fallback: FieldOffice }> = {
  TX: { ranges: TX_SPLIT, fallback: TX_DEFAULT },
  CA: { ranges: CA_SPLIT, fallback: CA_DEFAULT },
  NY: { ranges: NY_SPLIT, fallback: NY_DEFAULT },
};

/**
 * The ERO field office responsible for an address in `state` (USPS code) with ZIP `zip5`, or null
 * when the state is not in any office's area (American Samoa, military mail) or is blank. A split
 * state with no usable ZIP goes to its default office (the one holding most of the state).
 */
export function fieldOfficeFor(
  state: string | null | undefined,
  zip5: string | null | undefined,
): FieldOffice | null {
  const s = (state ?? '').trim().toUpperCase();
  if (!s) return null;
  const split = SPLIT[s];
  if (!split) return BY_STATE[s] ?? null;
  const zip = (zip5 ?? '').trim();
  if (!/^\d{5}/.test(zip)) return split.fallback;
  if (s === 'CA' && IMPERIAL_COUNTY_ZIPS.has(zip.slice(0, 5))) return 'San Diego';
  const prefix = zip.slice(0, 3);
  for (const r of split.ranges) if (prefix >= r.from && prefix <= r.to) return r.office;
  return split.fallback;
}

/**
 * The routing as rows (state, zip prefix or '' for the whole state, office), so SQL can route many
 * addresses at once with the same answers as fieldOfficeFor: a 5-digit prefix entry wins over a
 * 3-digit one, which wins over the state's default.
 */
export function fieldOfficeRoutes(): { state: string; prefix: string; office: FieldOffice }[] {
  const rows: { state: string; prefix: string; office: FieldOffice }[] = [];
  for (const [state, office] of Object.entries(BY_STATE)) rows.push({ state, prefix: '', office });
  for (const [state, split] of Object.entries(SPLIT)) {
    rows.push({ state, prefix: '', office: split.fallback });
    for (const r of split.ranges) {
      for (let p = Number(r.from); p <= Number(r.to); p++) {
        rows.push({ state, prefix: String(p).padStart(3, '0'), office: r.office });
      }
    }
  }
  for (const zip of IMPERIAL_COUNTY_ZIPS) rows.push({ state: 'CA', prefix: zip, office: 'San Diego' });
  return rows;
}
