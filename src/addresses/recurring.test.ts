import { describe, expect, it } from 'vitest';
import { ReleaseIndex, type ReleaseAt } from './recurring.ts';
import { addressKey, type Address } from './quality.ts';

const house: Address = {
  line: '12 OAK ST',
  unit: null,
  city: 'HOUSTON',
  state: 'TX',
  zip5: '77002',
  zipAsSent: '77002',
};
const flat: Address = { ...house, line: '400 ELM AVE', unit: '3B' };
const at = (childId: string, on: string, address: Address = house): ReleaseAt => ({ childId, on, address });

describe('ReleaseIndex', () => {
  const releases = [
    at('C', '2021-03-01'),
    at('A', '2020-05-01'),
    at('B', '2020-01-15'),
    at('A', '2019-12-01'), // A's first release there is the earlier one
    at('D', '2022-07-04', flat),
    at('E', '2022-07-04', { ...house, line: '', zip5: null }), // blank: never grouped
  ];

  it("gives each distinct child's first release date to an address, oldest first", () => {
    const index = new ReleaseIndex(releases);
    expect(index.releasesTo(addressKey(house))).toEqual(['2019-12-01', '2020-01-15', '2021-03-01']);
    expect(index.releasesTo(addressKey(flat))).toEqual(['2022-07-04']);
    expect(index.releasesTo(addressKey({ ...house, line: '9 NOWHERE RD' }))).toEqual([]);
    expect(index.recurring(3)).toEqual([{ key: addressKey(house), children: 3 }]);
  });

  it('rebuilt from its data on another thread, answers the same', () => {
    const index = new ReleaseIndex(releases);
    const copy = ReleaseIndex.fromData(structuredClone(index.toData()));
    for (const address of [house, flat]) {
      expect(copy.releasesTo(addressKey(address))).toEqual(index.releasesTo(addressKey(address)));
    }
    expect(copy.recurring(1)).toEqual(index.recurring(1));
  });
});
