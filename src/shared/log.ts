// Structured JSON logs (pino). Personal data never goes in a log: callers log ids and counts only,
// and the redaction list is a second line of defence for fields that must never appear.
import { pino, type Logger } from 'pino';

export type Log = Logger;

export const REDACTED_FIELDS = [
  '*.name',
  '*.given_name',
  '*.family_name',
  '*.dob',
  '*.birth_date',
  '*.a_number',
  '*.street',
  '*.address',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLog(level: string, destination: NodeJS.WritableStream = process.stderr): Log {
  return pino({ level, redact: { paths: REDACTED_FIELDS, censor: '[redacted]' } }, destination);
}

export const silentLog: Log = pino({ level: 'silent' });
