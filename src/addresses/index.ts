// Public surface of the addresses module: quality classes, dwelling keys, recurring addresses.
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
