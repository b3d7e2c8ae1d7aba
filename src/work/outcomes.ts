// The outcome codes a task closes with (mirrors table task_outcome; a test keeps them equal). Pure.
import { BridgeError } from '../shared/errors.ts';

export const OUTCOMES = {
  located_address_confirmed: { label: 'Child located and address confirmed', systemOnly: false },
  address_updated_with_court: { label: 'Address updated with the court', systemOnly: false },
  nta_served: { label: 'Notice to Appear served', systemOnly: false },
  nta_filed: { label: 'Notice to Appear filed with the court', systemOnly: false },
  hearing_scheduled: { label: 'Hearing scheduled and notice sent', systemOnly: false },
  case_updated: { label: 'Court case updated (motion or change of address filed)', systemOnly: false },
  welfare_check_done: { label: 'Welfare check done with the sponsor', systemOnly: false },
  referred_orr_welfare_check: { label: 'Referred to ORR for a welfare check', systemOnly: false },
  referred_law_enforcement: { label: 'Referred to law enforcement', systemOnly: false },
  unable_to_locate: { label: 'Unable to locate after the recorded number of attempts', systemOnly: false },
  not_actionable: { label: 'Not actionable by this office (explained in the note)', systemOnly: false },
  resolved_by_facts: { label: 'Resolved: the alert closed because the facts changed', systemOnly: true },
} as const;

export type OutcomeCode = keyof typeof OUTCOMES;

export interface CloseRequest {
  outcome: string;
  note?: string | null;
  attempts?: number | null;
}

/** Checks what a person closes a task with; returns the outcome code or throws a USAGE error. */
export function checkClose(req: CloseRequest): OutcomeCode {
  const code = req.outcome as OutcomeCode;
  const def = OUTCOMES[code];
  if (!def) {
    throw new BridgeError('USAGE', `unknown outcome "${req.outcome}"; one of: ${userOutcomes().join(', ')}`);
  }
  if (def.systemOnly) throw new BridgeError('USAGE', `outcome "${code}" is set by the system only`);
  if (code === 'unable_to_locate' && !(Number.isInteger(req.attempts) && req.attempts! >= 1)) {
    throw new BridgeError('USAGE', 'outcome unable_to_locate needs the number of attempts (1 or more)');
  }
  if (code === 'not_actionable' && !req.note?.trim()) {
    throw new BridgeError('USAGE', 'outcome not_actionable needs a note saying why');
  }
  return code;
}

export function userOutcomes(): OutcomeCode[] {
  return (Object.keys(OUTCOMES) as OutcomeCode[]).filter((c) => !OUTCOMES[c].systemOnly);
}
