// Passwords (argon2id), session ids, API token secrets and CSRF tokens. Only hashes are stored.
import crypto from 'node:crypto';
import argon2 from 'argon2';

// OWASP's argon2id baseline (19 MiB, 2 passes): strong, and fast enough for a login request.
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spends the time of one verification, so an unknown user name answers as slowly as a known one. */
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
}

export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export function newSecret(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export const TOKEN_PREFIX = 'ucb_';

/** A new API token: `ucb_<id-free random>`; shown once, stored as its SHA-256. */
export function newTokenSecret(): string {
  return TOKEN_PREFIX + newSecret(32);
}

export function csrfTokenFor(sessionSecret: string, sessionId: string): string {
  return crypto.createHmac('sha256', sessionSecret).update(`csrf:${sessionId}`).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** A random password for demo accounts: readable, 20 characters. */
export function demoPassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}
