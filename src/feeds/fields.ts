// Field checks shared by every source: A-numbers, dates in each source's own format, sex and country
// codes, and the upper-case, accent-free form of names. Pure: each returns a value or a reason.
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';

const require = createRequire(import.meta.url);
countries.registerLocale(require('i18n-iso-countries/langs/en.json'));

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(reason: string): Checked<T> => ({ ok: false, reason });

/** `A123456789`, `A-123-456-789`, `123456789` or 8 digits (leading zero dropped) -> 9 digits. */
export function parseANumber(text: string): Checked<string> {
  const digits = text.replace(/^\s*a\s*-?/i, '').replace(/[\s.-]/g, '');
  if (!/^\d{8,9}$/.test(digits)) return bad(`not an A-number (8 or 9 digits, optional A prefix): ${text}`);
  return ok(digits.padStart(9, '0'));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 2100) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export type DateFormat = 'YYYY-MM-DD' | 'MM/DD/YYYY';

/** A calendar date in the source's own format -> `YYYY-MM-DD`. */
export function parseDate(text: string, format: DateFormat): Checked<string> {
  const t = text.trim();
  const m =
    format === 'YYYY-MM-DD' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(t) : /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) {
    const [y, mo, d] = format === 'YYYY-MM-DD' ? [+m[1]!, +m[2]!, +m[3]!] : [+m[3]!, +m[1]!, +m[2]!];
    if (validDate(y, mo, d)) return ok(`${y}-${pad(mo)}-${pad(d)}`);
  }
  return bad(`not a date in ${format}: ${text}`);
}

/**
 * A local date and time -> `YYYY-MM-DD HH:MM:SS` (a timestamp without time zone).
 * `T` form: `YYYY-MM-DDTHH:MM:SS` (ICE); space form: `YYYY-MM-DD HH:MM` (EOIR hearings).
 */
export function parseLocalDateTime(text: string, form: 'T' | 'space'): Checked<string> {
  const t = text.trim();
  const m =
    form === 'T'
      ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t)
      : /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(t);
  if (m) {
    const [y, mo, d, h, mi, s] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0)];
    if (validDate(y, mo, d) && h < 24 && mi < 60 && s < 60)
      return ok(`${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`);
  }
  return bad(`not a date and time in ${form === 'T' ? 'YYYY-MM-DDTHH:MM:SS' : 'YYYY-MM-DD HH:MM'}: ${text}`);
}

/** One code set for sex: M, F, X (unspecified, CBP), U (unknown). */
export const SEX_CODES: Record<string, string> = {
  M: 'M',
  F: 'F',
  X: 'X',
  U: 'U',
  MALE: 'M',
  FEMALE: 'F',
  UNKNOWN: 'U',
};

export function parseCode(text: string, allowed: readonly string[]): Checked<string> {
  const t = text.trim().toUpperCase();
  return allowed.includes(t)
    ? ok(t)
    : bad(`unknown code ${JSON.stringify(text)} (expected ${allowed.join(', ')})`);
}

/** An ISO 3166-1 alpha-3 code as sent (CBP). */
export function parseAlpha3(text: string): Checked<string> {
  const t = text.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(t) && countries.isValid(t)
    ? ok(t)
    : bad(`unknown country code (ISO 3166-1 alpha-3): ${text}`);
}

// Country look-ups scan the whole list; a feed repeats a few dozen names, so each is looked up once.
const countryNames = new Map<string, Checked<string>>();

/** An English country name in any case, with or without accents -> ISO 3166-1 alpha-3. */
export function parseCountryName(text: string): Checked<string> {
  let hit = countryNames.get(text);
  if (!hit) {
    hit = lookUpCountryName(text);
    if (countryNames.size < 10_000) countryNames.set(text, hit);
  }
  return hit;
}

function lookUpCountryName(text: string): Checked<string> {
  const t = text.trim();
  const plain = t.normalize('NFD').replace(/\p{M}/gu, '');
  const code =
    countries.getAlpha3Code(t, 'en') ??
    countries.getAlpha3Code(titleCase(t), 'en') ??
    countries.getAlpha3Code(titleCase(plain), 'en');
  return code ? ok(code) : bad(`unknown country name: ${text}`);
}

function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s-])\p{L}/gu, (c) => c.toUpperCase());
}

/** A name already folded: most names as agencies send them, returned as they are. */
const FOLDED_NAME = /^(?:[A-Z0-9'-]+(?: [A-Z0-9'-]+)*)?$/;

/** Upper case, accents removed, punctuation other than hyphen and apostrophe to spaces, spaces collapsed. */
export function foldName(text: string): string {
  return FOLDED_NAME.test(text) ? text : foldNameStepByStep(text);
}

/** The folding of `foldName` done step by step, whatever the text. */
export function foldNameStepByStep(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9' -]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
