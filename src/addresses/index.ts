// Addresses: USPS-style normalization, quality classes, dwelling keys, recurring addresses.
export {
  normalizeAddress,
  normalizeUnit,
  normalizeState,
  normalizeZip5,
  splitStreet,
  foldAddressText,
  type AddressAsSent,
  type NormalizedAddress,
} from './normalize.ts';
export {
  classifyAddress,
  invalidReason,
  isBlank,
  isComparable,
  addressKey,
  unitKey,
  sameAddress,
} from './quality.ts';
export type { Address, AddressQuality, AddressQualityContext } from './quality.ts';
export { ReleaseIndex } from './recurring.ts';
export { statesOfZipPrefix, USPS_STATE_CODES } from './zip-prefix.ts';
