// USPS Publication 28 style normalization of a US address as typed by a person: upper case, accents
// and punctuation removed, standard abbreviations for street suffixes, directionals and unit
// designators, the unit moved out of the street line, the ZIP cut to 5 digits. Pure.

export interface AddressAsSent {
  street?: string | null;
  unit?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
}

export interface NormalizedAddress {
  /** Street line without the unit (`123 N MAIN ST`), or null when no street was sent. */
  line: string | null;
  /** The unit identifier alone (`Apt 5`, `#5`, `Unit 5` and `5` all give `5`), or null. */
  unit: string | null;
  city: string | null;
  /** USPS state code when the state is recognized, else what was sent (upper case), or null. */
  state: string | null;
  /**
   * The first 5 digits of a well-formed ZIP (`12345` or ZIP+4), else the ZIP as sent (trimmed) so
   * that an invalid ZIP can still be classified as invalid later; null when blank.
   */
  zip5: string | null;
}

/** Publication 28, Appendix C1: common suffix spellings -> standard abbreviation. */
const SUFFIXES: Record<string, string> = {};
const SUFFIX_TABLE: [string, string[]][] = [
  ['ALY', ['ALLEY', 'ALLEE', 'ALLY']],
  ['AVE', ['AVENUE', 'AV', 'AVEN', 'AVENU', 'AVN', 'AVNUE']],
  ['BLVD', ['BOULEVARD', 'BOUL', 'BOULV', 'BLV']],
  ['BND', ['BEND']],
  ['BR', ['BRANCH', 'BRNCH']],
  ['BRG', ['BRIDGE', 'BRDGE']],
  ['BYP', ['BYPASS', 'BYPA', 'BYPAS', 'BYPS']],
  ['CIR', ['CIRCLE', 'CIRC', 'CIRCL', 'CRCL', 'CRCLE']],
  ['CT', ['COURT', 'CRT']],
  ['CTS', ['COURTS']],
  ['CV', ['COVE']],
  ['CRK', ['CREEK']],
  ['CRES', ['CRESCENT', 'CRSENT', 'CRSNT']],
  ['XING', ['CROSSING', 'CRSSNG']],
  ['DR', ['DRIVE', 'DRIV', 'DRV']],
  ['EXPY', ['EXPRESSWAY', 'EXP', 'EXPR', 'EXPRESS', 'EXPW']],
  ['EXT', ['EXTENSION', 'EXTN', 'EXTNSN']],
  ['FWY', ['FREEWAY', 'FREEWY', 'FRWAY', 'FRWY']],
  ['GDNS', ['GARDENS', 'GARDN', 'GRDEN', 'GRDN']],
  ['GRV', ['GROVE', 'GROV']],
  ['HTS', ['HEIGHTS', 'HT']],
  ['HWY', ['HIGHWAY', 'HIGHWY', 'HIWAY', 'HIWY', 'HWAY']],
  ['HL', ['HILL']],
  ['HOLW', ['HOLLOW', 'HLLW', 'HOLLOWS', 'HOLWS']],
  ['IS', ['ISLAND', 'ISLND']],
  ['JCT', ['JUNCTION', 'JCTION', 'JCTN', 'JUNCTN', 'JUNCTON']],
  ['LK', ['LAKE']],
  ['LN', ['LANE']],
  ['LOOP', ['LOOPS']],
  ['MNR', ['MANOR']],
  ['MDWS', ['MEADOWS', 'MDW', 'MEDOWS']],
  ['MT', ['MOUNT', 'MNT']],
  ['MTN', ['MOUNTAIN', 'MNTAIN', 'MNTN', 'MOUNTIN', 'MTIN']],
  ['OVAL', ['OVL']],
  ['PARK', ['PRK']],
  ['PKWY', ['PARKWAY', 'PARKWY', 'PKWAY', 'PKY']],
  ['PASS', []],
  ['PATH', ['PATHS']],
  ['PIKE', ['PIKES']],
  ['PL', ['PLACE']],
  ['PLZ', ['PLAZA', 'PLZA']],
  ['PT', ['POINT']],
  ['RDG', ['RIDGE', 'RDGE']],
  ['RD', ['ROAD']],
  ['RDS', ['ROADS']],
  ['RTE', ['ROUTE']],
  ['ROW', []],
  ['RUN', []],
  ['SQ', ['SQUARE', 'SQR', 'SQRE', 'SQU']],
  ['ST', ['STREET', 'STRT', 'STR']],
  ['STA', ['STATION', 'STATN', 'STN']],
  ['TER', ['TERRACE', 'TERR']],
  ['TRCE', ['TRACE', 'TRACES']],
  ['TRL', ['TRAIL', 'TRAILS', 'TRLS']],
  ['TPKE', ['TURNPIKE', 'TRNPK', 'TURNPK']],
  ['VW', ['VIEW']],
  ['VLG', ['VILLAGE', 'VILL', 'VILLAG', 'VILLG', 'VILLIAGE']],
  ['VIS', ['VISTA', 'VIST', 'VST', 'VSTA']],
  ['WALK', ['WALKS']],
  ['WAY', ['WY']],
];
for (const [abbr, spellings] of SUFFIX_TABLE) {
  SUFFIXES[abbr] = abbr;
  for (const s of spellings) SUFFIXES[s] = abbr;
}

const DIRECTIONALS: Record<string, string> = {
  NORTH: 'N',
  SOUTH: 'S',
  EAST: 'E',
  WEST: 'W',
  NORTHEAST: 'NE',
  NORTHWEST: 'NW',
  SOUTHEAST: 'SE',
  SOUTHWEST: 'SW',
  N: 'N',
  S: 'S',
  E: 'E',
  W: 'W',
  NE: 'NE',
  NW: 'NW',
  SE: 'SE',
  SW: 'SW',
};

/** Publication 28, Appendix C2: secondary unit designators. `#` reads as APT. */
const UNIT_DESIGNATORS: Record<string, string> = {
  APARTMENT: 'APT',
  APT: 'APT',
  UNIT: 'UNIT',
  SUITE: 'STE',
  STE: 'STE',
  ROOM: 'RM',
  RM: 'RM',
  FLOOR: 'FL',
  FL: 'FL',
  BUILDING: 'BLDG',
  BLDG: 'BLDG',
  LOT: 'LOT',
  TRAILER: 'TRLR',
  TRLR: 'TRLR',
  SPACE: 'SPC',
  SPC: 'SPC',
  DEPARTMENT: 'DEPT',
  DEPT: 'DEPT',
  BASEMENT: 'BSMT',
  BSMT: 'BSMT',
  '#': 'APT',
  NO: 'APT',
  NUM: 'APT',
};
// Designators that stand alone without an identifier.
const BARE_UNITS = new Set(['BSMT']);

const STATES: Record<string, string> = {
  ALABAMA: 'AL',
  ALASKA: 'AK',
  ARIZONA: 'AZ',
  ARKANSAS: 'AR',
  CALIFORNIA: 'CA',
  COLORADO: 'CO',
  CONNECTICUT: 'CT',
  DELAWARE: 'DE',
  'DISTRICT OF COLUMBIA': 'DC',
  FLORIDA: 'FL',
  GEORGIA: 'GA',
  HAWAII: 'HI',
  IDAHO: 'ID',
  ILLINOIS: 'IL',
  INDIANA: 'IN',
  IOWA: 'IA',
  KANSAS: 'KS',
  KENTUCKY: 'KY',
  LOUISIANA: 'LA',
  MAINE: 'ME',
  MARYLAND: 'MD',
  MASSACHUSETTS: 'MA',
  MICHIGAN: 'MI',
  MINNESOTA: 'MN',
  MISSISSIPPI: 'MS',
  MISSOURI: 'MO',
  MONTANA: 'MT',
  NEBRASKA: 'NE',
  NEVADA: 'NV',
  'NEW HAMPSHIRE': 'NH',
  'NEW JERSEY': 'NJ',
  'NEW MEXICO': 'NM',
  'NEW YORK': 'NY',
  'NORTH CAROLINA': 'NC',
  'NORTH DAKOTA': 'ND',
  OHIO: 'OH',
  OKLAHOMA: 'OK',
  OREGON: 'OR',
  PENNSYLVANIA: 'PA',
  'RHODE ISLAND': 'RI',
  'SOUTH CAROLINA': 'SC',
  'SOUTH DAKOTA': 'SD',
  TENNESSEE: 'TN',
  TEXAS: 'TX',
  UTAH: 'UT',
  VERMONT: 'VT',
  VIRGINIA: 'VA',
  WASHINGTON: 'WA',
  'WEST VIRGINIA': 'WV',
  WISCONSIN: 'WI',
  WYOMING: 'WY',
  'PUERTO RICO': 'PR',
  GUAM: 'GU',
  'VIRGIN ISLANDS': 'VI',
  'AMERICAN SAMOA': 'AS',
  'NORTHERN MARIANA ISLANDS': 'MP',
};

/** Address text already folded, returned as it is. */
const FOLDED_ADDRESS = /^[A-Z0-9/-]+(?: [A-Z0-9/-]+)*$/;
/** Text with no character outside printable ASCII: it has no accent to take off. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Upper case, accents removed, punctuation removed (`#` kept apart as a unit sign), spaces collapsed. */
export function foldAddressText(text: string | null | undefined): string {
  if (!text) return '';
  if (FOLDED_ADDRESS.test(text)) return text;
  return PRINTABLE_ASCII.test(text) ? foldWithoutAccents(text) : foldAddressTextStepByStep(text);
}

/** The folding of `foldAddressText` done step by step, whatever the text. */
export function foldAddressTextStepByStep(text: string): string {
  return foldWithoutAccents(text.normalize('NFD').replace(/\p{M}/gu, ''));
}

function foldWithoutAccents(text: string): string {
  return text
    .toUpperCase()
    .replace(/#/g, ' # ')
    .replace(/[.,;:'"()]/g, ' ')
    .replace(/[^A-Z0-9#/ -]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The unit identifier alone: `Apt 5`, `Apartment 5`, `#5`, `Unit 5` and `5` all give `5`. */
export function normalizeUnit(text: string | null | undefined): string | null {
  let toks = foldAddressText(text).split(' ').filter(Boolean);
  while (toks.length > 1 && UNIT_DESIGNATORS[toks[0]!] !== undefined) toks = toks.slice(1);
  if (
    toks.length === 1 &&
    UNIT_DESIGNATORS[toks[0]!] !== undefined &&
    !BARE_UNITS.has(UNIT_DESIGNATORS[toks[0]!]!)
  )
    return null;
  const id = toks.join(' ').replace(/^-+|-+$/g, '');
  return id === '' ? null : id;
}

/** Splits a street line into the line without the unit and the unit written inside it, if any. */
export function splitStreet(street: string | null | undefined): { line: string | null; unit: string | null } {
  const toks = foldAddressText(street).split(' ').filter(Boolean);
  if (toks.length === 0) return { line: null, unit: null };
  let unit: string | null = null;
  // The first unit designator after the house number and street name starts the unit.
  for (let i = 1; i < toks.length; i++) {
    const d = UNIT_DESIGNATORS[toks[i]!];
    if (d === undefined || (d === 'APT' && toks[i] === 'NO' && i + 1 >= toks.length)) continue;
    if (i + 1 < toks.length || BARE_UNITS.has(d)) {
      unit = normalizeUnit(toks.slice(i).join(' '));
      toks.length = i;
      break;
    }
  }
  return { line: standardizeStreet(toks), unit };
}

function standardizeStreet(toks: string[]): string | null {
  const out = toks.map((t) => t);
  const n = out.length;
  if (n === 0) return null;
  // Suffix: the last word, or the word before a trailing directional (MAIN STREET NORTH).
  const trailingDir = n >= 3 && DIRECTIONALS[out[n - 1]!] !== undefined;
  const suffixAt = trailingDir ? n - 2 : n - 1;
  const hasSuffix = suffixAt >= 1 && SUFFIXES[out[suffixAt]!] !== undefined;
  if (hasSuffix) out[suffixAt] = SUFFIXES[out[suffixAt]!]!;
  if (trailingDir) out[n - 1] = DIRECTIONALS[out[n - 1]!]!;
  // Leading directional right after the house number, when a street name still follows it
  // (123 NORTH MAIN ST -> 123 N MAIN ST, but 10 WEST END stays).
  const firstWord = /^\d/.test(out[0]!) ? 1 : 0;
  const nameWordsAfter = (hasSuffix ? suffixAt : trailingDir ? n - 1 : n) - firstWord - 1;
  if (nameWordsAfter >= (hasSuffix ? 1 : 2) && DIRECTIONALS[out[firstWord]!] !== undefined)
    out[firstWord] = DIRECTIONALS[out[firstWord]!]!;
  return out.join(' ');
}

export function normalizeState(text: string | null | undefined): string | null {
  const t = foldAddressText(text);
  if (!t) return null;
  return STATES[t] ?? t;
}

export function normalizeZip5(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  if (!t) return null;
  const m = /^(\d{5})(?:-?\d{4})?$/.exec(t);
  return m ? m[1]! : t;
}

export function normalizeAddress(a: AddressAsSent): NormalizedAddress {
  const street = splitStreet(a.street);
  return {
    line: street.line,
    unit: normalizeUnit(a.unit) ?? street.unit,
    city: foldAddressText(a.city) || null,
    state: normalizeState(a.state),
    zip5: normalizeZip5(a.zip),
  };
}
