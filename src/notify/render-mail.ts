// Plain-text mail for people: one critical event at once, or the day's other events as a digest.
// The fields shown are those the agency may see (built by payloadFor before rendering).
import type { CloudEvent } from './policy.ts';

export interface MailContent {
  subject: string;
  text: string;
}

function describe(ev: CloudEvent): string {
  const lines = [`${ev.type} (${ev.severity}) at ${ev.time}`];
  for (const [k, v] of Object.entries(ev.data)) {
    if (k === 'links') continue;
    lines.push(`  ${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  }
  const link = (ev.data.links as { child?: string } | undefined)?.child;
  if (link) lines.push(`  record: ${link}`);
  return lines.join('\n');
}

export function renderEventMail(ev: CloudEvent): MailContent {
  return {
    subject: `[UC Bridge] ${ev.severity.toUpperCase()}: ${ev.type}${ev.subject ? ` for child ${ev.subject}` : ''}`,
    text: `${describe(ev)}\n\nEvent id: ${ev.id}\n`,
  };
}

export function renderDigestMail(events: readonly CloudEvent[], day: string): MailContent {
  return {
    subject: `[UC Bridge] Daily digest ${day}: ${events.length} event(s)`,
    text: events.map(describe).join('\n\n') + '\n',
  };
}
