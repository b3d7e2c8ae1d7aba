// Name and date normalization for comparison: accents and particles ignored, tokens split, and a
// Spanish sound-alike key (B/V, S/Z/C, LL/Y, silent H, QU/K, ...) next to double metaphone.
import doubleMetaphone from 'talisman/phonetics/double-metaphone.js';

// Particles carry no identity: DE LA CRUZ = CRUZ for comparison.
const PARTICLES = new Set([
  'DE',
  'DEL',
  'LA',
  'LAS',
  'LOS',
  'LO',
  'Y',
  'E',
  'DA',
  'DI',
  'DO',
  'DOS',
  'DAS',
  'VDA',
  'VAN',
  'VON',
  'MC',
]);

// Pure memoization of per-value work (names repeat millions of times); bounded, so never a leak.
function memo<T>(fn: (s: string) => T, limit = 200_000): (s: string) => T {
  const cache = new Map<string, T>();
  return (s: string) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size >= limit) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
}

/** Upper case, accents stripped, anything but letters a space, particles dropped. */
export function nameTokens(value: string | null | undefined): string[] {
  if (!value) return [];
  return tokensMemo(value);
}

const tokensMemo = memo((value: string): string[] => {
  const plain = value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/Ñ/g, 'N')
    .replace(/[^A-Z]+/g, ' ')
    .trim();
  if (!plain) return [];
  const tokens = plain.split(' ');
  const kept = tokens.filter((t) => !PARTICLES.has(t));
  return kept.length ? kept : tokens;
});

/** A Spanish (and Mayan-in-Spanish-spelling) sound-alike key for one token. */
export const spanishKey = memo(spanishKeyOf);

function spanishKeyOf(token: string): string {
  let s = token.replace(/LL/g, 'Y');
  // GUILMER / HUILMER / WILMER; YENIFER / JENNIFER (English J written as Y, and back).
  s = s.replace(/^(GU|HU|W)(?=[AEIOU])/, 'U').replace(/^Y(?=[AEIOU])/, 'J');
  s = s.replace(/^H/, '').replace(/([^C])H/g, '$1');
  s = s
    .replace(/LL/g, 'Y')
    .replace(/CH/g, '%')
    .replace(/QU/g, 'K')
    .replace(/C([EI])/g, 'S$1')
    .replace(/G([EI])/g, 'J$1')
    .replace(/GU([EI])/g, 'G$1')
    .replace(/C/g, 'K')
    .replace(/Z/g, 'S')
    .replace(/X/g, 'S')
    .replace(/V/g, 'B')
    .replace(/W/g, 'U')
    .replace(/Y(?![AEIOU])/g, 'I')
    .replace(/(.)\1+/g, '$1');
  return s.replace(/%/g, 'CH');
}

/** True when two tokens sound alike by the Spanish key or double metaphone. */
export function soundAlike(a: string, b: string): boolean {
  if (!a || !b) return false;
  if (spanishKey(a) === spanishKey(b)) return true;
  const pa = metaphone(a);
  return pa.length > 1 && pa === metaphone(b);
}

const metaphone = memo((token: string) => doubleMetaphone(token)[0]);

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' to days since 1970-01-01; NaN for null. */
export function dayNumber(iso: string | null | undefined): number {
  if (!iso) return NaN;
  return Math.round(Date.parse(iso.slice(0, 10) + 'T00:00:00Z') / DAY_MS);
}

export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
