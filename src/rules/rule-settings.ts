// Lists the catalogue with the settings in force, and changes one setting (checked against the catalogue).
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import { CATALOGUE, RULES, isRuleId, type SettingValue } from './catalogue.ts';
import { loadSettings } from './evaluate-children.ts';
import { upsertSetting } from './rules.queries.ts';

export async function listRules(db: Queryable) {
  const settings = await loadSettings(db);
  return CATALOGUE.map((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    severity: r.severity,
    owner: r.offices[0]!.office,
    offices: r.offices,
    settings: settings[r.id],
    defaults: r.defaults,
  }));
}

export async function setRuleSetting(
  db: Queryable,
  ruleId: string,
  key: string,
  raw: string,
  by: string | null,
) {
  if (!isRuleId(ruleId))
    throw new BridgeError('NOT_FOUND', `no rule named "${ruleId}" (see "bridge rules list")`);
  const def = RULES.get(ruleId)!;
  if (!(key in def.defaults)) {
    throw new BridgeError(
      'USAGE',
      `rule ${ruleId} has no setting "${key}"; it has ${Object.keys(def.defaults).join(', ')}`,
    );
  }
  let value: SettingValue;
  if (typeof def.defaults[key] === 'boolean') {
    if (raw !== 'true' && raw !== 'false')
      throw new BridgeError('USAGE', `${ruleId}.${key} must be true or false`);
    value = raw === 'true';
  } else {
    value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      throw new BridgeError('USAGE', `${ruleId}.${key} must be a whole number of 0 or more, got "${raw}"`);
    }
  }
  await upsertSetting(db, ruleId, key, value, by);
  return value;
}
