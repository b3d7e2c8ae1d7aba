import { describe, expect, it } from 'vitest';
import { FIELD_OFFICES, fieldOfficeFor, fieldOfficeRoutes } from './field-offices.ts';

describe('fieldOfficeFor', () => {
  it.each([
    ['GA', '30301', 'Atlanta'],
    ['MD', '21201', 'Baltimore'],
    ['MA', '02108', 'Boston'],
    ['NY', '14201', 'Buffalo'],
    ['NY', '12207', 'Buffalo'], // Albany
    ['IL', '60601', 'Chicago'],
    ['TX', '75201', 'Dallas'],
    ['TX', '79401', 'Dallas'], // Lubbock
    ['OK', '73102', 'Dallas'],
    ['CO', '80202', 'Denver'],
    ['MI', '48201', 'Detroit'],
    ['TX', '79901', 'El Paso'],
    ['TX', '88510', 'El Paso'],
    ['NM', '87101', 'El Paso'],
    ['TX', '78501', 'Harlingen'], // McAllen
    ['TX', '78520', 'Harlingen'], // Brownsville
    ['TX', '77001', 'Houston'],
    ['TX', '77550', 'Houston'], // Galveston
    ['CA', '90001', 'Los Angeles'],
    ['CA', '93721', 'Los Angeles'], // Fresno, central CA
    ['CA', '92262', 'Los Angeles'], // Palm Springs, Riverside County
    ['FL', '33101', 'Miami'],
    ['PR', '00901', 'Miami'],
    ['LA', '70112', 'New Orleans'],
    ['TN', '37201', 'New Orleans'],
    ['NY', '10001', 'New York City'],
    ['NY', '11201', 'New York City'], // Brooklyn
    ['NY', '10701', 'New York City'], // Yonkers
    ['NY', '12601', 'New York City'], // Poughkeepsie, Dutchess County
    ['NJ', '07102', 'Newark'],
    ['PA', '19103', 'Philadelphia'],
    ['AZ', '85001', 'Phoenix'],
    ['UT', '84101', 'Salt Lake City'],
    ['NV', '89101', 'Salt Lake City'],
    ['TX', '78201', 'San Antonio'],
    ['TX', '78701', 'San Antonio'], // Austin
    ['CA', '92101', 'San Diego'],
    ['CA', '92243', 'San Diego'], // El Centro, Imperial County
    ['CA', '94103', 'San Francisco'],
    ['CA', '95814', 'San Francisco'], // Sacramento
    ['HI', '96813', 'San Francisco'],
    ['WA', '98101', 'Seattle'],
    ['MN', '55101', 'St. Paul'],
    ['DC', '20001', 'Washington'],
    ['VA', '22201', 'Washington'],
  ])('%s %s → %s', (state, zip, office) => {
    expect(fieldOfficeFor(state, zip)).toBe(office);
  });

  it('covers every one of the 25 offices in the table above', () => {
    const offices = new Set(
      [
        ['GA', '30301'], ['MD', '21201'], ['MA', '02108'], ['NY', '14201'], ['IL', '60601'],
        ['TX', '75201'], ['CO', '80202'], ['MI', '48201'], ['TX', '79901'], ['TX', '78501'],
        ['TX', '77001'], ['CA', '90001'], ['FL', '33101'], ['LA', '70112'], ['NY', '10001'],
        ['NJ', '07102'], ['PA', '19103'], ['AZ', '85001'], ['UT', '84101'], ['TX', '78201'],
        ['CA', '92101'], ['CA', '94103'], ['WA', '98101'], ['MN', '55101'], ['DC', '20001'],
      ].map(([s, z]) => fieldOfficeFor(s, z)),
    ); // prettier-ignore
    expect([...offices].sort()).toEqual([...FIELD_OFFICES].sort());
  });

  it('sends a split state without a usable ZIP to its main office, and unknown states nowhere', () => {
    expect(fieldOfficeFor('TX', '')).toBe('San Antonio');
    expect(fieldOfficeFor('CA', null)).toBe('Los Angeles');
    expect(fieldOfficeFor('NY', 'ABCDE')).toBe('Buffalo');
    expect(fieldOfficeFor('tx', '77001')).toBe('Houston');
    expect(fieldOfficeFor('AS', '96799')).toBeNull();
    expect(fieldOfficeFor('AE', '09001')).toBeNull();
    expect(fieldOfficeFor('', '77001')).toBeNull();
    expect(fieldOfficeFor(null, null)).toBeNull();
  });

  it('as routing rows, gives the same office as the function for every ZIP prefix', () => {
    const routes = fieldOfficeRoutes();
    const lookup = (state: string, zip: string) => {
      const byKey = new Map(routes.map((r) => [`${r.state}:${r.prefix}`, r.office]));
      return (
        byKey.get(`${state}:${zip}`) ??
        byKey.get(`${state}:${zip.slice(0, 3)}`) ??
        byKey.get(`${state}:`) ??
        null
      );
    };
    for (const state of ['TX', 'CA', 'NY', 'GA', 'AS']) {
      for (let p = 0; p < 1000; p++) {
        const zip = String(p).padStart(3, '0') + '43';
        expect(lookup(state, zip), `${state} ${zip}`).toBe(fieldOfficeFor(state, zip));
      }
    }
    expect(lookup('CA', '92243')).toBe('San Diego');
  });
});
