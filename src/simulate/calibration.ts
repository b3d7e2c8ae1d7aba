// The real figures the synthetic population is calibrated to (shared/reference/figures.md and the
// public ORR and CBP fact sheets it cites). Approximate shares are marked as such where they are set.

/** Children transferred to HHS ORR per fiscal year (ORR referrals; sum ≈ OIG-24-46's 448,820). */
export const transfersByFiscalYear: Record<number, number> = {
  2019: 69_488,
  2020: 15_381,
  2021: 122_731,
  2022: 128_904,
  2023: 118_938,
};

/** Share of encountered unaccompanied children never transferred to ORR (mostly Mexican children returned at the border). */
export const notTransferredShare = 0.05;

/** Size of the full population: encountered children whose transfers match the figures above. */
export function fullPopulation(fromFy: number, toFy: number): number {
  let sum = 0;
  for (let fy = fromFy; fy <= toFy; fy++) sum += transfersByFiscalYear[fy] ?? 100_000;
  return Math.round(sum / (1 - notTransferredShare));
}

/** Citizenship of encountered children (ISO alpha-3, English name; approximate shares). */
export const countries: readonly (readonly [code: string, name: string, share: number])[] = [
  ['GTM', 'GUATEMALA', 0.41],
  ['HND', 'HONDURAS', 0.27],
  ['SLV', 'EL SALVADOR', 0.13],
  ['MEX', 'MEXICO', 0.07],
  ['ECU', 'ECUADOR', 0.04],
  ['NIC', 'NICARAGUA', 0.03],
  ['COL', 'COLOMBIA', 0.015],
  ['VEN', 'VENEZUELA', 0.01],
  ['PER', 'PERU', 0.005],
  ['DOM', 'DOMINICAN REPUBLIC', 0.005],
  ['CUB', 'CUBA', 0.005],
  ['HTI', 'HAITI', 0.005],
];

/** Of Mexican children, the share returned at the border without a transfer to ORR. */
export const mexicanReturnedShare = 0.6;

/** Age at encounter: ~84% aged 13–17 (≈37% 15–16, ≈33% 17), ~16% under 13. */
export const ageAtEncounter: readonly (readonly [number, number])[] = [
  [1, 0.004],
  [2, 0.004],
  [3, 0.006],
  [4, 0.006],
  [5, 0.008],
  [6, 0.01],
  [7, 0.012],
  [8, 0.014],
  [9, 0.016],
  [10, 0.018],
  [11, 0.022],
  [12, 0.04],
  [13, 0.06],
  [14, 0.08],
  [15, 0.18],
  [16, 0.19],
  [17, 0.33],
];

export const maleShare = 0.7;

/** Mean days in ORR care by fiscal year: ~28–35 in FY2022–FY2023, longer in FY2019–FY2020. */
export const meanDaysInCare: Record<number, number> = { 2019: 48, 2020: 60, 2021: 35, 2022: 32, 2023: 29 };

/** ORR sponsor categories (approximate shares). */
export const sponsorCategories: readonly (readonly [string, number])[] = [
  ['1', 0.36],
  ['2A', 0.1],
  ['2B', 0.38],
  ['3', 0.16],
];

/** Release states: the ten largest from figures.md, then the rest (approximate). */
export const releaseStates: readonly (readonly [string, number])[] = [
  ['TX', 63_039],
  ['CA', 46_293],
  ['FL', 43_811],
  ['NY', 33_582],
  ['NJ', 23_075],
  ['MD', 21_976],
  ['VA', 21_431],
  ['GA', 17_769],
  ['NC', 17_032],
  ['TN', 16_355],
  ['MA', 14_000],
  ['LA', 10_500],
  ['AL', 8_000],
  ['IL', 9_000],
  ['PA', 8_500],
  ['OH', 7_500],
  ['SC', 6_500],
  ['WA', 6_000],
  ['CO', 5_500],
  ['CT', 5_500],
  ['IN', 5_000],
  ['KY', 4_500],
  ['MO', 4_000],
  ['AZ', 4_000],
  ['NV', 3_500],
  ['MN', 3_000],
  ['OK', 3_000],
  ['AR', 3_000],
  ['MS', 2_500],
  ['DC', 2_000],
  ['DE', 2_000],
  ['RI', 2_000],
  ['UT', 2_000],
  ['OR', 2_000],
  ['MI', 2_000],
  ['IA', 2_000],
  ['NE', 1_500],
  ['WI', 1_500],
  ['KS', 1_500],
  ['NM', 1_000],
];

/** Immigration court serving each release state (three-letter EOIR codes). */
export const courtByState: Record<string, string> = {
  TX: 'HOU',
  CA: 'LOS',
  FL: 'MIA',
  NY: 'NYC',
  NJ: 'NEW',
  MD: 'BAL',
  VA: 'ARL',
  GA: 'ATL',
  NC: 'CHL',
  TN: 'MEM',
  MA: 'BOS',
  LA: 'NOL',
  AL: 'ATL',
  IL: 'CHI',
  PA: 'PHI',
  OH: 'CLE',
  SC: 'CHL',
  WA: 'SEA',
  CO: 'DEN',
  CT: 'HAR',
  IN: 'CHI',
  KY: 'LOU',
  MO: 'KAN',
  AZ: 'PHO',
  NV: 'LVG',
  MN: 'BLO',
  OK: 'DAL',
  AR: 'MEM',
  MS: 'NOL',
  DC: 'ARL',
  DE: 'PHI',
  RI: 'BOS',
  UT: 'SLC',
  OR: 'POO',
  MI: 'DET',
  IA: 'OMA',
  NE: 'OMA',
  WI: 'CHI',
  KS: 'KAN',
  NM: 'ELP',
};

/** Border Patrol sectors of encounter (approximate shares). */
export const sectors: readonly (readonly [string, number])[] = [
  ['RGV', 0.45],
  ['DRT', 0.08],
  ['LRT', 0.06],
  ['ELP', 0.1],
  ['TCA', 0.08],
  ['YUM', 0.07],
  ['SDC', 0.05],
  ['ELC', 0.03],
  ['BBT', 0.01],
  ['EPT', 0.07],
];

/** Rates of the lifecycle (not noise): the shares the population's paths follow. */
export const lifecycle = {
  /** Transfers completed within the 72-hour clock. */
  transferWithin72h: 0.88,
  runaway: 0.012,
  repatriated: 0.012,
  transferredToDhs: 0.003,
  dischargedOther: 0.002,
  /** Safety call not made in about a third of cases (HHS OIG 2024). */
  safetyCallMade: 0.67,
  safetyCallOutcomes: [
    ['REACHED', 0.8],
    ['NOT_REACHED', 0.15],
    ['CHILD_NOT_AT_ADDRESS', 0.05],
  ] as const,
  orrAddressUpdate: 0.08,
  /** NTA issued for a released child at all, and served once issued (≈65% never served by May 2024). */
  ntaIssued: 0.45,
  ntaServed: 0.8,
  ntaFiled: 0.9,
  ntaPersonalService: 0.3,
  /** Median days from release to NTA issue (long tail). */
  ntaLagMedianDays: 120,
  hearingAbsent: 0.12,
  inAbsentiaWhenAbsent: 0.7,
  noticeReturned: 0.05,
  courtAddressChange: 0.1,
  changeOfVenue: 0.04,
  /** Address defects at release (≈7% blank, undeliverable or missing a unit; OIG-25-21). */
  addressBlank: 0.022,
  addressInvalid: 0.008,
  addressMissingUnit: 0.035,
  apartment: 0.35,
  /** Share of released children sent to a recurring address (a few receive hundreds). */
  recurringAddress: 0.012,
  /** Children re-encountered at the border after a first episode. */
  reencountered: 0.015,
  /** Share of children with a twin among them, and with a sibling encountered with them. */
  twins: 0.008,
  siblings: 0.04,
  /** Out-of-scope CBP rows (uc_designation N: adults and children in family units) per child. */
  outOfScopeRows: 0.04,
};
