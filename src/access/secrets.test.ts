import { describe, expect, it } from 'vitest';
import { loadAccessSecrets } from './secrets.ts';

describe('secrets', () => {
  it.each([
    ['missing', {}],
    ['short', { BRIDGE_SESSION_SECRET: 'abc123' }],
    ['a known default', { BRIDGE_SESSION_SECRET: 'changeme' }],
    ['one repeated character', { BRIDGE_SESSION_SECRET: 'x'.repeat(64) }],
  ])('refuses to start with a %s session secret outside demo mode', (_name, env) => {
    expect(() => loadAccessSecrets(env)).toThrow(/BRIDGE_SESSION_SECRET must be set/);
  });

  it('generates a random secret in demo mode, a new one each start', () => {
    const a = loadAccessSecrets({ BRIDGE_DEMO: '1' });
    const b = loadAccessSecrets({ BRIDGE_DEMO: '1' });
    expect(a.sessionSecret).toHaveLength(64);
    expect(a.sessionSecret).not.toBe(b.sessionSecret);
    expect(a.demo).toBe(true);
  });

  it('takes a strong secret from the environment', () => {
    const s = 'k3J9-vQ2p_8LmZx0rT5yWb7nHc1dFg4sA6eU';
    expect(loadAccessSecrets({ BRIDGE_SESSION_SECRET: s })).toEqual({ sessionSecret: s, demo: false });
  });
});
