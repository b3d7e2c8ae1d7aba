// Which newest address is announced, who holds an older one, and when a message goes out.
import { describe, expect, it } from 'vitest';
import { caseState } from '../cases/index.ts';
import { Facts, HOME, OTHER_HOME } from '../cases/testing.ts';
import { decideAnnouncement, newestAddress } from './address-change.ts';

const asOf = '2024-06-01';
const newest = (f: Facts) => newestAddress(caseState(f.records, asOf));

describe('newestAddress', () => {
  it('is the newest usable address, with the agencies whose own copy is older and different', () => {
    const f = new Facts();
    f.release('2024-01-10', HOME);
    f.nta('2024-01-20', { address: HOME });
    f.caseOpened('2024-02-01', { address: HOME });
    expect(newest(f)).toMatchObject({
      address: { street: '123 MAIN ST', unit: null, city: 'HOUSTON', state: 'TX', zip: '77002' },
      source: 'eoir',
      on: '2024-02-01',
      heldByStale: [],
      courtCode: 'HOU',
    });
    f.addressUpdate('2024-03-01', OTHER_HOME);
    expect(newest(f)).toMatchObject({
      address: { street: '45 OAK AVE', unit: '2B' },
      source: 'orr',
      on: '2024-03-01',
      heldByStale: ['ICE_OPLA', 'EOIR'],
    });
    // The court takes the new address: only the NTA is left with the old one.
    f.addressChange('2024-03-05', OTHER_HOME);
    expect(newest(f)).toMatchObject({ source: 'eoir', heldByStale: ['ICE_OPLA'] });
  });

  it('announces nothing for a blank or invalid newest address, nor for a child with none', () => {
    expect(newest(new Facts())).toBeNull();
    const f = new Facts();
    f.release('2024-01-10', { line: null, unit: null, city: null, state: null, zip5: null });
    expect(newest(f)).toBeNull();
    const g = new Facts();
    g.release('2024-01-10', { ...HOME, zip5: '7700' });
    expect(newest(g)).toBeNull();
  });

  it('ignores facts after the as-of date', () => {
    const f = new Facts();
    f.release('2024-01-10', HOME);
    f.addressUpdate('2024-07-01', OTHER_HOME);
    expect(newest(f)).toMatchObject({ on: '2024-01-10', address: { street: '123 MAIN ST' } });
  });
});

describe('decideAnnouncement', () => {
  const f = new Facts();
  f.release('2024-01-10', HOME);
  const home = newest(f)!;
  const announcedHome = { version: 1, address_key: home.key, address: home.address };

  it.each([
    ['first address', undefined, undefined, { kind: 'changed', eventId: 'address-C-1-v1', version: 1 }],
    ['same address again', announcedHome, undefined, null],
    ['same address, drift still open from before', announcedHome, { alertId: 7, openedNow: false }, null],
    [
      'same address, drift opened now',
      announcedHome,
      { alertId: 7, openedNow: true },
      { kind: 'drift', eventId: 'address-C-1-drift-7', recipients: ['EOIR', 'ICE_OPLA'] },
    ],
    [
      'a different address',
      { version: 3, address_key: 'OTHER|', address: { street: '1 X ST' } },
      { alertId: 7, openedNow: true },
      { kind: 'changed', eventId: 'address-C-1-v4', version: 4, previous: { street: '1 X ST' } },
    ],
  ] as const)('%s', (_name, announced, drift, expected) => {
    const got = decideAnnouncement('C-1', home, announced, drift);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toMatchObject(expected);
  });

  it('announces nothing without a usable newest address', () => {
    expect(decideAnnouncement('C-1', null, undefined, { alertId: 1, openedNow: true })).toBeNull();
  });
});
