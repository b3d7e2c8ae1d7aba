// The gap rules as data: what each detects, who must act, how soon, and its settings' defaults.
// Evaluators live in evaluate.ts; settings stored in `rule_setting` override the defaults here.

export type OfficeKind = 'ORR' | 'ERO' | 'OPLA' | 'EOIR';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const RULE_IDS = [
  'NO_NTA',
  'NTA_NOT_FILED',
  'NO_HEARING_SCHEDULED',
  'FAILED_TO_APPEAR',
  'ADDRESS_BLANK',
  'ADDRESS_INVALID',
  'ADDRESS_MISSING_UNIT',
  'ADDRESS_UNDELIVERABLE',
  'ADDRESS_DRIFT',
  'RECURRING_ADDRESS',
  'FLED_CUSTODY',
  'SAFETY_CALL_FAILED',
  'TRANSFER_OVER_72H',
  'AGED_OUT_IN_PROCEEDINGS',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type SettingValue = number | boolean;

export interface RuleDefinition {
  id: RuleId;
  title: string;
  description: string;
  severity: Severity;
  /** Offices that must act, in order: the first owns the remedy. */
  offices: readonly { office: OfficeKind; action: string }[];
  /** Every rule has `enabled` and `deadline_days` (days from the date the rule began to hold). */
  defaults: Readonly<Record<string, SettingValue>>;
}

export const CATALOGUE: readonly RuleDefinition[] = [
  {
    id: 'NO_NTA',
    title: 'Released without a Notice to Appear',
    description:
      'Released to a sponsor more than `days` days ago, no NTA served and no court case opened: removal proceedings have not begun.',
    severity: 'high',
    offices: [{ office: 'ERO', action: 'serve the Notice to Appear at the current address' }],
    defaults: { enabled: true, days: 30, deadline_days: 30 },
  },
  {
    id: 'NTA_NOT_FILED',
    title: 'NTA served but not filed with the court',
    description:
      'An NTA was served more than `days` days ago and none was filed with the immigration court; proceedings begin only on filing (8 CFR 1003.14).',
    severity: 'high',
    offices: [{ office: 'OPLA', action: 'file the served NTA with the immigration court' }],
    defaults: { enabled: true, days: 30, deadline_days: 14 },
  },
  {
    id: 'NO_HEARING_SCHEDULED',
    title: 'Open court case with no hearing on the calendar',
    description:
      'A court case is open and has had no hearing on its calendar for more than `days` days (since it opened or since its last hearing).',
    severity: 'medium',
    offices: [{ office: 'EOIR', action: 'schedule a hearing and send the notice to the address on file' }],
    defaults: { enabled: true, days: 60, deadline_days: 30 },
  },
  {
    id: 'FAILED_TO_APPEAR',
    title: 'Child did not appear at a hearing',
    description:
      'A hearing result records the child absent (details say whether an in absentia order was entered) and the child has not appeared since.',
    severity: 'critical',
    offices: [
      { office: 'ORR', action: 'welfare check with the sponsor' },
      { office: 'ERO', action: 'try to locate the child' },
      { office: 'OPLA', action: 'update the case (motion to reopen or change of address as needed)' },
    ],
    defaults: { enabled: true, deadline_days: 7 },
  },
  {
    id: 'ADDRESS_BLANK',
    title: 'Current address blank',
    description: "The released child's current address has no street or no ZIP.",
    severity: 'high',
    offices: [{ office: 'ORR', action: 'obtain the full address from the sponsor' }],
    defaults: { enabled: true, deadline_days: 10 },
  },
  {
    id: 'ADDRESS_INVALID',
    title: 'Current address invalid',
    description:
      "The released child's current address has a malformed ZIP, a state that is not a USPS code, or a ZIP not assigned to its state.",
    severity: 'high',
    offices: [{ office: 'ORR', action: 'correct the address with the sponsor' }],
    defaults: { enabled: true, deadline_days: 10 },
  },
  {
    id: 'ADDRESS_MISSING_UNIT',
    title: 'Current address lacks an apartment or unit',
    description:
      "The released child's current address has no unit while the same street and ZIP appear elsewhere with one.",
    severity: 'medium',
    offices: [{ office: 'ORR', action: 'obtain the unit from the sponsor' }],
    defaults: { enabled: true, deadline_days: 10 },
  },
  {
    id: 'ADDRESS_UNDELIVERABLE',
    title: "Court's mail returned undeliverable",
    description:
      "The current address is the court's address on file and the court's notice to it came back undeliverable.",
    severity: 'high',
    offices: [
      { office: 'ORR', action: 'confirm where the child lives with the sponsor' },
      { office: 'OPLA', action: 'give the court the corrected address' },
    ],
    defaults: { enabled: true, deadline_days: 7 },
  },
  {
    id: 'ADDRESS_DRIFT',
    title: 'Court or NTA holds an older address than ORR',
    description:
      "ORR's newest address differs from the older one the court (or, before a court address exists, the NTA) holds while proceedings are pending: the court must get the new address before the next hearing.",
    severity: 'high',
    offices: [
      { office: 'EOIR', action: "update the address on file from ORR's newest address" },
      { office: 'ORR', action: 'confirm the new address' },
    ],
    defaults: { enabled: true, deadline_days: 5, urgent_days: 30 },
  },
  {
    id: 'RECURRING_ADDRESS',
    title: 'Released to an address many children were released to',
    description:
      'The child was released to an address (street, unit, ZIP) to which `threshold` or more distinct children were released: a trafficking indicator.',
    severity: 'high',
    offices: [{ office: 'ORR', action: 'review the sponsor and the household; welfare check' }],
    defaults: { enabled: true, threshold: 5, deadline_days: 14 },
  },
  {
    id: 'FLED_CUSTODY',
    title: 'Fled ORR custody',
    description: 'ORR reports the child left care without release (runaway) and has not come back.',
    severity: 'critical',
    offices: [
      { office: 'ERO', action: 'try to locate the child' },
      { office: 'ORR', action: 'report to law enforcement and the child welfare agency' },
    ],
    defaults: { enabled: true, deadline_days: 2 },
  },
  {
    id: 'SAFETY_CALL_FAILED',
    title: 'Safety and well-being call failed',
    description:
      'The 30-day call after release did not reach the child, or the child was not at the address, and there has been no contact since.',
    severity: 'high',
    offices: [
      { office: 'ORR', action: 'repeat the call, visit the address, refer if the child is not found' },
    ],
    defaults: { enabled: true, deadline_days: 7 },
  },
  {
    id: 'TRANSFER_OVER_72H',
    title: 'Transfer to ORR took longer than 72 hours',
    description:
      'ORR took custody more than `hours` hours after apprehension (8 U.S.C. 1232(b)(3) requires 72).',
    severity: 'low',
    offices: [{ office: 'ERO', action: 'record the cause of the delay' }],
    defaults: { enabled: true, hours: 72, deadline_days: 30 },
  },
  {
    id: 'AGED_OUT_IN_PROCEEDINGS',
    title: 'Turned 18 while the court case is open',
    description:
      'The child turned 18 while a court case opened before the birthday is still open: protections and custody rules change.',
    severity: 'medium',
    offices: [{ office: 'OPLA', action: 'review the case for the change in age' }],
    defaults: { enabled: true, deadline_days: 30 },
  },
];

export const RULES: ReadonlyMap<RuleId, RuleDefinition> = new Map(CATALOGUE.map((r) => [r.id, r]));

export type RuleSettings = Record<RuleId, Record<string, SettingValue>>;

export function isRuleId(s: string): s is RuleId {
  return RULES.has(s as RuleId);
}

/** The catalogue's defaults with stored overrides applied (unknown rules or keys are refused earlier). */
export function resolveSettings(
  overrides: readonly { ruleId: string; key: string; value: SettingValue }[] = [],
): RuleSettings {
  const s = {} as RuleSettings;
  for (const r of CATALOGUE) s[r.id] = { ...r.defaults };
  for (const o of overrides) {
    if (isRuleId(o.ruleId) && o.key in s[o.ruleId]) s[o.ruleId][o.key] = o.value;
  }
  return s;
}

export function numberSetting(settings: RuleSettings, rule: RuleId, key: string): number {
  const v = settings[rule][key];
  if (typeof v !== 'number') throw new Error(`setting ${rule}.${key} is not a number`);
  return v;
}
