// Address quality as the oversight report defines it: blank, invalid, undeliverable, missing unit,
// first match wins. Works on addresses already normalized by the feeds (USPS Publication 28).
import { statesOfZipPrefix, USPS_STATE_CODES } from './zip-prefix.ts';

export interface Address {
  line: string | null;
  unit: string | null;
  city: string | null;
  state: string | null;
  zip5: string | null;
  /** The ZIP exactly as sent (ZIP+4 allowed), when known; the format check reads it. */
  zipAsSent?: string | null;
}

export type AddressQuality = 'ok' | 'blank' | 'invalid' | 'undeliverable' | 'missing_unit';

export interface AddressQualityContext {
  /** The address is the court's address on file and the court reported a returned notice since. */
  noticeReturned: boolean;
  /** Whether any source row holds this street line and ZIP with a unit. */
  streetHasUnits: (line: string, zip5: string) => boolean;
}

const UNIT_DESIGNATORS =
  /^(APT|APARTMENT|UNIT|STE|SUITE|NO|NUM|NUMBER|RM|ROOM|FL|FLOOR|BLDG|BUILDING|DEPT|LOT|SPC|SPACE|TRLR|TRAILER|#)+\s*/;

function present(s: string | null | undefined): s is string {
  return s !== null && s !== undefined && s.trim() !== '';
}

/** A unit is its identifier alone: `Apt 5`, `Apartment 5`, `#5`, `Unit 5` and `5` are all `5`. */
export function unitKey(unit: string | null | undefined): string {
  if (!present(unit)) return '';
  let u = unit
    .toUpperCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[.,]/g, ' ')
    .trim();
  for (let i = 0; i < 3; i++) u = u.replace(UNIT_DESIGNATORS, '').trim();
  return u.replace(/[\s#-]+/g, '');
}

/** Key that identifies one dwelling: street line, unit identifier and ZIP5. */
export function addressKey(a: Pick<Address, 'line' | 'unit' | 'zip5'>): string {
  return `${(a.line ?? '').trim()}|${unitKey(a.unit)}|${(a.zip5 ?? '').trim()}`;
}

export function sameAddress(
  a: Pick<Address, 'line' | 'unit' | 'zip5'>,
  b: Pick<Address, 'line' | 'unit' | 'zip5'>,
) {
  return addressKey(a) === addressKey(b);
}

export function isBlank(a: Address): boolean {
  return !present(a.line) || !(present(a.zipAsSent) || present(a.zip5));
}

/** Why the address is invalid, or null: ZIP format, state code, ZIP prefix assigned to the state. */
export function invalidReason(a: Address): string | null {
  const zip = (present(a.zipAsSent) ? a.zipAsSent : (a.zip5 ?? '')).replace(/\s+/g, '');
  if (!/^\d{5}(-?\d{4})?$/.test(zip)) return 'zip_format';
  const state = (a.state ?? '').trim().toUpperCase();
  if (!USPS_STATE_CODES.has(state)) return 'state_code';
  if (!statesOfZipPrefix(zip.slice(0, 3)).has(state)) return 'zip_not_in_state';
  return null;
}

export function classifyAddress(a: Address, ctx: AddressQualityContext): AddressQuality {
  if (isBlank(a)) return 'blank';
  if (invalidReason(a) !== null) return 'invalid';
  if (ctx.noticeReturned) return 'undeliverable';
  if (!present(a.unit) && present(a.zip5) && ctx.streetHasUnits(a.line!.trim(), a.zip5.trim())) {
    return 'missing_unit';
  }
  return 'ok';
}

/** Usable for grouping (recurring addresses): neither blank nor invalid. */
export function isComparable(a: Address): boolean {
  return !isBlank(a) && invalidReason(a) === null;
}
