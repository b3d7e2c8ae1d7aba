import { describe, expect, it } from 'vitest';
import { caseState } from '../cases/case-state.ts';
import { Facts, HOME, OTHER_HOME } from '../cases/testing.ts';
import { resolveSettings, CATALOGUE, type RuleId } from './catalogue.ts';
import { evaluateRules, localContext, type RuleContext } from './evaluate.ts';

const settings = resolveSettings();

function run(f: Facts, asOf: string, ctx?: Partial<RuleContext>) {
  const s = caseState(f.records, asOf);
  return evaluateRules(s, settings, { ...localContext(s), ...ctx });
}

interface Case {
  name: string;
  facts: (f: Facts) => void;
  asOf: string;
  /** The date the rule holds from, or null when it must not hold. */
  since: string | null;
  /** For a case that must not hold: the reason given, matched as a pattern. */
  reason?: RegExp;
  ctx?: Partial<RuleContext>;
  details?: Record<string, unknown>;
}

const table: Record<RuleId, Case[]> = {
  NO_NTA: [
    {
      name: 'released 31 days ago, nothing served',
      facts: (f) => f.release('2020-01-01'),
      asOf: '2020-02-01',
      since: '2020-02-01',
    },
    {
      name: 'released 30 days ago: within the limit',
      facts: (f) => f.release('2020-01-01'),
      asOf: '2020-01-31',
      since: null,
      reason: /within 30 days/,
    },
    {
      name: 'NTA issued but not served still holds',
      facts: (f) => (f.release('2020-01-01'), f.nta('2020-01-05')),
      asOf: '2020-03-01',
      since: '2020-02-01',
      details: { nta_issued_not_served: true },
    },
    {
      name: 'closing fact: NTA served',
      facts: (f) => (f.release('2020-01-01'), f.nta('2020-01-05', { served: '2020-02-10' })),
      asOf: '2020-03-01',
      since: null,
      reason: /NTA served on 2020-02-10/,
    },
    {
      name: 'served after the as-of date does not count yet',
      facts: (f) => (f.release('2020-01-01'), f.nta('2020-01-05', { served: '2020-04-10' })),
      asOf: '2020-03-01',
      since: '2020-02-01',
    },
    {
      name: 'closing fact: court case opened',
      facts: (f) => (f.release('2020-01-01'), f.caseOpened('2020-02-20')),
      asOf: '2020-03-01',
      since: null,
      reason: /court case C1 opened/,
    },
    {
      name: 'never released',
      facts: (f) => f.admission('2020-01-01'),
      asOf: '2021-01-01',
      since: null,
      reason: /not released/,
    },
  ],
  NTA_NOT_FILED: [
    {
      name: 'served 31 days ago, not filed',
      facts: (f) => f.nta('2020-01-01', { served: '2020-01-02' }),
      asOf: '2020-02-02',
      since: '2020-02-02',
    },
    {
      name: 'served, within 30 days',
      facts: (f) => f.nta('2020-01-01', { served: '2020-01-02' }),
      asOf: '2020-01-20',
      since: null,
      reason: /within 30 days/,
    },
    {
      name: 'closing fact: filed',
      facts: (f) => f.nta('2020-01-01', { served: '2020-01-02', filed: '2020-02-20' }),
      asOf: '2020-03-01',
      since: null,
      reason: /filed with the court on 2020-02-20/,
    },
    {
      name: 'closing fact: court case opened',
      facts: (f) => (f.nta('2020-01-01', { served: '2020-01-02' }), f.caseOpened('2020-02-20')),
      asOf: '2020-03-01',
      since: null,
      reason: /court case/,
    },
    {
      name: 'not served',
      facts: (f) => f.nta('2020-01-01'),
      asOf: '2021-01-01',
      since: null,
      reason: /no NTA served/,
    },
  ],
  NO_HEARING_SCHEDULED: [
    {
      name: 'case opened 61 days ago, no hearing',
      facts: (f) => f.caseOpened('2020-01-01'),
      asOf: '2020-03-02',
      since: '2020-03-02',
    },
    {
      name: 'case opened 30 days ago',
      facts: (f) => f.caseOpened('2020-01-01'),
      asOf: '2020-01-31',
      since: null,
      reason: /within 60 days/,
    },
    {
      name: 'closing fact: a hearing scheduled ahead',
      facts: (f) => (f.caseOpened('2020-01-01'), f.hearingScheduled('2020-03-05', '2020-06-01')),
      asOf: '2020-04-01',
      since: null,
      reason: /hearing scheduled for 2020-06-01/,
    },
    {
      name: 'last hearing passed more than 60 days ago',
      facts: (f) => (
        f.caseOpened('2020-01-01'),
        f.hearingScheduled('2020-01-05', '2020-02-01'),
        f.hearingResult('2020-02-01', 'PRESENT')
      ),
      asOf: '2020-05-01',
      since: '2020-04-02',
    },
    {
      name: 'closing fact: case completed',
      facts: (f) => (f.caseOpened('2020-01-01'), f.caseCompleted('2020-02-01', 'TERMINATED')),
      asOf: '2020-05-01',
      since: null,
      reason: /completed/,
    },
  ],
  FAILED_TO_APPEAR: [
    {
      name: 'absent, in absentia order',
      facts: (f) => (f.caseOpened('2020-01-01'), f.hearingResult('2020-03-01', 'ABSENT', true)),
      asOf: '2020-03-02',
      since: '2020-03-01',
      details: { in_absentia: true, hearings_missed: ['2020-03-01'] },
    },
    {
      name: 'absent, no order',
      facts: (f) => (f.caseOpened('2020-01-01'), f.hearingResult('2020-03-01', 'ABSENT', false)),
      asOf: '2020-03-02',
      since: '2020-03-01',
      details: { in_absentia: false },
    },
    {
      name: 'closing fact: appeared at a later hearing',
      facts: (f) => (
        f.caseOpened('2020-01-01'),
        f.hearingResult('2020-03-01', 'ABSENT'),
        f.hearingResult('2020-05-01', 'PRESENT')
      ),
      asOf: '2020-06-01',
      since: null,
      reason: /appeared at the hearing of 2020-05-01/,
    },
    {
      name: 'absent again after appearing: new streak',
      facts: (f) => (
        f.caseOpened('2020-01-01'),
        f.hearingResult('2020-03-01', 'ABSENT'),
        f.hearingResult('2020-05-01', 'PRESENT'),
        f.hearingResult('2020-07-01', 'ABSENT')
      ),
      asOf: '2020-08-01',
      since: '2020-07-01',
    },
    {
      name: 'present only',
      facts: (f) => (f.caseOpened('2020-01-01'), f.hearingResult('2020-03-01', 'PRESENT')),
      asOf: '2020-06-01',
      since: null,
    },
  ],
  ADDRESS_BLANK: [
    {
      name: 'release with no street',
      facts: (f) => f.release('2020-01-01', { city: 'HOUSTON', state: 'TX', zip5: '77002' }),
      asOf: '2020-01-02',
      since: '2020-01-01',
    },
    {
      name: 'release with nothing at all',
      facts: (f) => f.release('2020-01-01', null),
      asOf: '2020-01-02',
      since: '2020-01-01',
    },
    {
      name: 'closing fact: ORR address update',
      facts: (f) => (f.release('2020-01-01', { line: '1 A ST' }), f.addressUpdate('2020-02-01', HOME)),
      asOf: '2020-03-01',
      since: null,
      reason: /is usable/,
    },
    {
      name: 'not released',
      facts: (f) => f.admission('2020-01-01'),
      asOf: '2020-02-01',
      since: null,
      reason: /not released/,
    },
  ],
  ADDRESS_INVALID: [
    {
      name: 'ZIP of another state',
      facts: (f) => f.release('2020-01-01', { ...HOME, zip5: '10001' }),
      asOf: '2020-01-02',
      since: '2020-01-01',
    },
    {
      name: 'ZIP of four digits',
      facts: (f) => f.release('2020-01-01', { ...HOME, zip5: null, zipAsSent: '7700' }),
      asOf: '2020-01-02',
      since: '2020-01-01',
    },
    {
      name: 'state not a USPS code',
      facts: (f) => f.release('2020-01-01', { ...HOME, state: 'XX' }),
      asOf: '2020-01-02',
      since: '2020-01-01',
    },
    {
      name: 'ZIP+4 is fine',
      facts: (f) => f.release('2020-01-01', { ...HOME, zipAsSent: '77002-1234' }),
      asOf: '2020-01-02',
      since: null,
    },
    {
      name: 'closing fact: court holds a newer valid address',
      facts: (f) => (
        f.release('2020-01-01', { ...HOME, state: 'XX' }),
        f.caseOpened('2020-02-01', { address: HOME })
      ),
      asOf: '2020-03-01',
      since: null,
      reason: /eoir record .* usable/,
    },
  ],
  ADDRESS_MISSING_UNIT: [
    {
      name: 'street seen elsewhere with a unit',
      facts: (f) => f.release('2020-01-01', HOME),
      asOf: '2020-01-02',
      since: '2020-01-01',
      ctx: { streetHasUnits: (l, z) => l === '123 MAIN ST' && z === '77002' },
    },
    {
      name: 'street never seen with a unit',
      facts: (f) => f.release('2020-01-01', HOME),
      asOf: '2020-01-02',
      since: null,
    },
    {
      name: 'closing fact: update with the unit',
      facts: (f) => (f.release('2020-01-01', HOME), f.addressUpdate('2020-02-01', { ...HOME, unit: '4' })),
      asOf: '2020-03-01',
      since: null,
      ctx: { streetHasUnits: () => true },
    },
  ],
  ADDRESS_UNDELIVERABLE: [
    {
      name: "court's notice returned from its address",
      facts: (f) => (f.release('2020-01-01'), f.caseOpened('2020-02-01'), f.noticeReturned('2020-03-01')),
      asOf: '2020-03-02',
      since: '2020-03-01',
    },
    {
      name: 'notice returned before the address changed',
      facts: (f) => (
        f.release('2020-01-01'),
        f.caseOpened('2020-02-01'),
        f.noticeReturned('2020-03-01'),
        f.addressChange('2020-04-01', OTHER_HOME)
      ),
      asOf: '2020-05-01',
      since: null,
      reason: /usable/,
    },
    {
      name: 'closing fact: ORR has a newer address',
      facts: (f) => (
        f.release('2020-01-01'),
        f.caseOpened('2020-02-01'),
        f.noticeReturned('2020-03-01'),
        f.addressUpdate('2020-04-01', OTHER_HOME)
      ),
      asOf: '2020-05-01',
      since: null,
    },
  ],
  ADDRESS_DRIFT: [
    {
      name: 'ORR moved the child after the court got the address',
      facts: (f) => (
        f.release('2020-01-01'),
        f.caseOpened('2020-02-01', { address: HOME }),
        f.hearingScheduled('2020-02-02', '2020-09-01'),
        f.addressUpdate('2020-03-01', OTHER_HOME)
      ),
      asOf: '2020-03-10',
      since: '2020-03-01',
      details: { holder: 'court', next_hearing_on: '2020-09-01' },
    },
    {
      name: 'NTA holds the old address before any case',
      facts: (f) => (
        f.release('2020-01-01'),
        f.nta('2020-01-10', { served: '2020-01-11', address: HOME }),
        f.addressUpdate('2020-03-01', OTHER_HOME)
      ),
      asOf: '2020-03-10',
      since: '2020-03-01',
      details: { holder: 'NTA' },
    },
    {
      name: 'closing fact: the court gets the new address',
      facts: (f) => (
        f.release('2020-01-01'),
        f.caseOpened('2020-02-01', { address: HOME }),
        f.addressUpdate('2020-03-01', OTHER_HOME),
        f.addressChange('2020-03-05', OTHER_HOME)
      ),
      asOf: '2020-03-10',
      since: null,
      reason: /as new as ORR/,
    },
    {
      name: 'closing fact: the case is completed',
      facts: (f) => (
        f.release('2020-01-01'),
        f.caseOpened('2020-02-01', { address: HOME }),
        f.addressUpdate('2020-03-01', OTHER_HOME),
        f.caseCompleted('2020-03-05', 'TERMINATED')
      ),
      asOf: '2020-03-10',
      since: null,
      reason: /no proceedings/,
    },
    {
      name: 'same address written differently is no drift',
      facts: (f) => (
        f.release('2020-01-01'),
        f.caseOpened('2020-02-01', { address: OTHER_HOME }),
        f.addressUpdate('2020-03-01', { ...OTHER_HOME, unit: 'APT 2B' })
      ),
      asOf: '2020-03-10',
      since: null,
    },
  ],
  RECURRING_ADDRESS: [
    {
      name: 'fifth child released to the address',
      facts: (f) => f.release('2020-01-01'),
      asOf: '2020-06-01',
      since: '2020-05-01',
      ctx: { releasesTo: () => ['2019-01-01', '2019-02-01', '2019-03-01', '2020-01-01', '2020-05-01'] },
    },
    {
      name: 'four children only',
      facts: (f) => f.release('2020-01-01'),
      asOf: '2020-06-01',
      since: null,
      ctx: { releasesTo: () => ['2019-01-01', '2019-02-01', '2019-03-01', '2020-01-01'] },
    },
  ],
  FLED_CUSTODY: [
    {
      name: 'runaway',
      facts: (f) => (f.admission('2020-01-01'), f.runaway('2020-01-20')),
      asOf: '2020-02-01',
      since: '2020-01-20',
    },
    {
      name: 'closing fact: back in ORR care',
      facts: (f) => (f.admission('2020-01-01'), f.runaway('2020-01-20'), f.admission('2020-02-10')),
      asOf: '2020-03-01',
      since: null,
      reason: /back in custody/,
    },
  ],
  SAFETY_CALL_FAILED: [
    {
      name: 'not reached',
      facts: (f) => (f.release('2020-01-01'), f.safetyCall('2020-01-31', 'NOT_REACHED')),
      asOf: '2020-02-01',
      since: '2020-01-31',
    },
    {
      name: 'child not at the address',
      facts: (f) => (f.release('2020-01-01'), f.safetyCall('2020-01-31', 'CHILD_NOT_AT_ADDRESS')),
      asOf: '2020-02-01',
      since: '2020-01-31',
    },
    {
      name: 'closing fact: a later call reaches the child',
      facts: (f) => (
        f.release('2020-01-01'),
        f.safetyCall('2020-01-31', 'NOT_REACHED'),
        f.safetyCall('2020-02-10', 'REACHED')
      ),
      asOf: '2020-03-01',
      since: null,
      reason: /reached the child on 2020-02-10/,
    },
    {
      name: 'closing fact: child appears in court',
      facts: (f) => (
        f.release('2020-01-01'),
        f.safetyCall('2020-01-31', 'NOT_REACHED'),
        f.caseOpened('2020-02-01'),
        f.hearingResult('2020-03-01', 'PRESENT')
      ),
      asOf: '2020-03-02',
      since: null,
      reason: /appeared in court/,
    },
    {
      name: 'reached',
      facts: (f) => (f.release('2020-01-01'), f.safetyCall('2020-01-31', 'REACHED')),
      asOf: '2020-02-01',
      since: null,
    },
  ],
  TRANSFER_OVER_72H: [
    {
      name: '80 hours',
      facts: (f) => f.transfer('2020-01-01T08:00:00', '2020-01-04T16:00:00'),
      asOf: '2020-02-01',
      since: '2020-01-04',
      details: { hours: [80] },
    },
    {
      name: 'exactly 72 hours',
      facts: (f) => f.transfer('2020-01-01T08:00:00', '2020-01-04T08:00:00'),
      asOf: '2020-02-01',
      since: null,
    },
  ],
  AGED_OUT_IN_PROCEEDINGS: [
    {
      name: 'turned 18 with the case open',
      facts: (f) => (f.caseOpened('2021-01-01'), f.dob('2003-06-15')),
      asOf: '2021-07-01',
      since: '2021-06-15',
    },
    {
      name: 'still 17',
      facts: (f) => (f.caseOpened('2021-01-01'), f.dob('2003-06-15')),
      asOf: '2021-06-14',
      since: null,
      reason: /under 18/,
    },
    {
      name: 'closing fact: case completed',
      facts: (f) => (
        f.caseOpened('2021-01-01'),
        f.caseCompleted('2021-06-20', 'RELIEF_GRANTED'),
        f.dob('2003-06-15')
      ),
      asOf: '2021-07-01',
      since: null,
    },
  ],
};

describe('rule catalogue', () => {
  it('has an evaluator and table of cases for every rule, each with an owner and deadline', () => {
    for (const r of CATALOGUE) {
      expect(table[r.id].length, r.id).toBeGreaterThan(1);
      expect(r.offices.length).toBeGreaterThan(0);
      expect(typeof r.defaults.deadline_days).toBe('number');
    }
  });
});

for (const [rule, cases] of Object.entries(table) as [RuleId, Case[]][]) {
  describe(rule, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const f = new Facts();
      c.facts(f);
      const evaluation = run(f, c.asOf, c.ctx);
      const hit = evaluation.hits.find((h) => h.ruleId === rule);
      if (c.since === null) {
        expect(hit).toBeUndefined();
        if (c.reason) expect(evaluation.whyNot(rule)).toMatch(c.reason);
      } else {
        expect(hit?.since).toBe(c.since);
        expect(hit!.recordPks.length).toBeGreaterThan(0);
        for (const pk of hit!.recordPks) expect(f.records.some((r) => r.pk === pk)).toBe(true);
        if (c.details) expect(hit!.details).toMatchObject(c.details);
      }
    });
  });
}

describe('rule outcomes together', () => {
  it('an address is classified into one defect at most', () => {
    const f = new Facts();
    f.release('2020-01-01', { line: null, state: 'XX', zip5: '1' });
    const { hits } = run(f, '2020-02-01');
    expect(hits.map((h) => h.ruleId).filter((r) => r.startsWith('ADDRESS_'))).toEqual(['ADDRESS_BLANK']);
  });

  it('settings change the outcome: NO_NTA after 60 days, disabled rules never hit', () => {
    const f = new Facts();
    f.release('2020-01-01');
    const s = caseState(f.records, '2020-02-15');
    const sixty = resolveSettings([{ ruleId: 'NO_NTA', key: 'days', value: 60 }]);
    expect(evaluateRules(s, sixty, localContext(s)).hits.some((h) => h.ruleId === 'NO_NTA')).toBe(false);
    const off = resolveSettings([{ ruleId: 'NO_NTA', key: 'enabled', value: false }]);
    expect(evaluateRules(caseState(f.records, '2021-01-01'), off, localContext(s)).whyNot('NO_NTA')).toBe(
      'rule disabled',
    );
  });

  it('the deadline is the start date plus the deadline days, and drift is due before the next hearing', () => {
    const f = new Facts();
    f.release('2020-01-01');
    f.caseOpened('2020-02-01', { address: HOME });
    f.hearingScheduled('2020-02-02', '2020-03-04');
    f.addressUpdate('2020-03-01', OTHER_HOME);
    const { hits } = run(f, '2020-03-02');
    const drift = hits.find((h) => h.ruleId === 'ADDRESS_DRIFT')!;
    expect(drift.dueOn).toBe('2020-03-03');
    expect(drift.severity).toBe('critical');
    const f2 = new Facts();
    f2.release('2020-01-01');
    expect(run(f2, '2020-03-01').hits.find((h) => h.ruleId === 'NO_NTA')!.dueOn).toBe('2020-03-02');
  });
});
