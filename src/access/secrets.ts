// Secrets come from the environment only. Outside demo mode (BRIDGE_DEMO=1) a missing, short or
// well-known secret stops the server from starting.
import crypto from 'node:crypto';
import { BridgeError } from '../shared/errors.ts';

export interface AccessSecrets {
  /** Keys the CSRF tokens of sessions. */
  sessionSecret: string;
  demo: boolean;
}

// Values seen in examples and documentation; never accepted outside demo mode.
const KNOWN_DEFAULTS = new Set([
  'changeme',
  'change-me',
  'secret',
  'password',
  'demo',
  'bridge',
  'development',
  'test',
]);

export function isDemoMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BRIDGE_DEMO === '1';
}

export function loadAccessSecrets(env: NodeJS.ProcessEnv = process.env): AccessSecrets {
  const demo = isDemoMode(env);
  const value = env.BRIDGE_SESSION_SECRET;
  if (!value || value.length < 32 || KNOWN_DEFAULTS.has(value.toLowerCase()) || /^(.)\1*$/.test(value)) {
    if (demo)
      return {
        sessionSecret: value && value.length >= 32 ? value : crypto.randomBytes(32).toString('hex'),
        demo,
      };
    throw new BridgeError(
      'CONFIG_INVALID',
      'BRIDGE_SESSION_SECRET must be set to a random value of at least 32 characters (or run "bridge demo")',
    );
  }
  return { sessionSecret: value, demo };
}
