// Optional single sign-on for agency staff with OpenID Connect: authorization code with PKCE, state
// and nonce, configured from the environment. The provider's claim names the agency role; the
// mapping to this system's roles is explicit, and a person whose claim maps to no role is refused.
import * as client from 'openid-client';
import { BridgeError } from '../shared/errors.ts';
import { isRole, type Role } from './policy.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This server's callback, registered with the provider: https://bridge.example/auth/oidc/callback */
  redirectUri: string;
  /** The claim carrying the person's agency role (default `bridge_role`). */
  roleClaim: string;
  /** Claim value → role (`ORR-CM=orr_case_manager,ERO=ero_officer`). */
  roleMap: Record<string, Role>;
  /** The claim carrying the office id (`ERO:Houston`), when the provider sends one. */
  officeClaim: string | null;
}

/** SSO settings from BRIDGE_OIDC_*; null when BRIDGE_OIDC_ISSUER is not set (SSO off). */
export function oidcSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OidcSettings | null {
  const issuer = env.BRIDGE_OIDC_ISSUER;
  if (!issuer) return null;
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new BridgeError('CONFIG_INVALID', `${name} must be set when BRIDGE_OIDC_ISSUER is`);
    return v;
  };
  const roleMap: Record<string, Role> = {};
  for (const pair of need('BRIDGE_OIDC_ROLE_MAP').split(',')) {
    const [claim, role] = pair.split('=').map((s) => s.trim());
    if (!claim || !isRole(role)) {
      throw new BridgeError(
        'CONFIG_INVALID',
        `BRIDGE_OIDC_ROLE_MAP: "${pair}" must be CLAIM_VALUE=role with a known role`,
      );
    }
    roleMap[claim] = role;
  }
  return {
    issuer,
    clientId: need('BRIDGE_OIDC_CLIENT_ID'),
    clientSecret: need('BRIDGE_OIDC_CLIENT_SECRET'),
    redirectUri: need('BRIDGE_OIDC_REDIRECT_URI'),
    roleClaim: env.BRIDGE_OIDC_ROLE_CLAIM || 'bridge_role',
    roleMap,
    officeClaim: env.BRIDGE_OIDC_OFFICE_CLAIM || null,
  };
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/** Reads the provider's metadata. Plain http is accepted for a provider on this machine only. */
export async function discoverOidc(settings: OidcSettings): Promise<client.Configuration> {
  const insecure = LOOPBACK.test(settings.issuer);
  if (!insecure && !settings.issuer.startsWith('https://')) {
    throw new BridgeError('CONFIG_INVALID', 'BRIDGE_OIDC_ISSUER must be an https:// URL');
  }
  return client.discovery(
    new URL(settings.issuer),
    settings.clientId,
    settings.clientSecret,
    undefined,
    insecure ? { execute: [client.allowInsecureRequests] } : undefined,
  );
}

/** What the browser must bring back to the callback: kept in a signed, short-lived cookie. */
export interface PendingLogin {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

/** Starts a login: the provider's authorization URL and the checks to keep for the callback. */
export async function startOidcLogin(
  config: client.Configuration,
  settings: OidcSettings,
  next: string,
): Promise<{ url: URL; pending: PendingLogin }> {
  const verifier = client.randomPKCECodeVerifier();
  const pending = { verifier, state: client.randomState(), nonce: client.randomNonce(), next };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url, pending };
}

export interface SsoIdentity {
  /** Stable across sign-ins: issuer and subject. */
  subject: string;
  username: string;
  role: Role;
  officeId: string | null;
}

/**
 * Finishes a login: exchanges the code (PKCE, state and nonce checked by openid-client), reads the
 * claims from the ID token and, when the role claim is not there, from the userinfo endpoint.
 */
export async function finishOidcLogin(
  config: client.Configuration,
  settings: OidcSettings,
  callbackUrl: URL,
  pending: PendingLogin,
): Promise<SsoIdentity> {
  let tokens;
  try {
    tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    });
  } catch (e) {
    throw new BridgeError('UNAUTHENTICATED', `single sign-on failed: ${(e as Error).message}`);
  }
  const idClaims = tokens.claims();
  if (!idClaims) throw new BridgeError('UNAUTHENTICATED', 'single sign-on returned no ID token');
  let claims: Record<string, unknown> = { ...idClaims };
  if (claims[settings.roleClaim] === undefined) {
    claims = { ...claims, ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)) };
  }
  const value = claims[settings.roleClaim];
  const role = typeof value === 'string' ? settings.roleMap[value] : undefined;
  if (!role) {
    throw new BridgeError('FORBIDDEN', `single sign-on: the ${settings.roleClaim} claim maps to no role`);
  }
  const office = settings.officeClaim ? claims[settings.officeClaim] : undefined;
  const preferred = typeof claims.preferred_username === 'string' ? claims.preferred_username : idClaims.sub;
  const username = `sso-${preferred.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`.slice(0, 63);
  return {
    subject: `${settings.issuer}|${idClaims.sub}`,
    username,
    role,
    officeId: typeof office === 'string' ? office : null,
  };
}
