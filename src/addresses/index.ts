// Addresses: USPS-style normalization (and, later, validity classification).
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
