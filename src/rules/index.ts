// Public surface of the rules module: the catalogue, evaluation for children and sweeps, alerts.
export { CATALOGUE, RULES, RULE_IDS, isRuleId, resolveSettings } from './catalogue.ts';
export type {
  RuleDefinition,
  RuleId,
  RuleSettings,
  OfficeKind,
  Severity,
  SettingValue,
} from './catalogue.ts';
export { evaluateRules, localContext, currentAddressQuality } from './evaluate.ts';
export type { RuleHit, RuleContext, Evaluation } from './evaluate.ts';
export {
  evaluateChildren,
  evaluateChildrenIn,
  sweepRules,
  loadSettings,
  resolveAsOf,
} from './evaluate-children.ts';
export type { RulesDeps, EvaluationSummary } from './evaluate-children.ts';
export { alertsFromJson, childAlertsJsonSql, listAlerts, openAlertCounts } from './rules.queries.ts';
export type { AlertFilter, AlertRow } from './rules.queries.ts';
export { listRules, setRuleSetting } from './rule-settings.ts';
