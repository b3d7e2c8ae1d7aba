// The public surface of access: policy, masking, audit, accounts, tokens and the Fastify plugin.
export * from './policy.ts';
export { maskFor, FIELD_RULES } from './mask.ts';
export { appendAudit, verifyAudit, whoAccessed, type AuditEntry, type VerifyResult } from './audit.ts';
export { loadAccessSecrets, isDemoMode, type AccessSecrets } from './secrets.ts';
export { addUser, listUserSummaries, setUserLocked, seedDemoUsers, type AccessDeps } from './manage-users.ts';
export { signIn, createToken, revokeTokenById } from './sign-in.ts';
export { listTokens } from './access.queries.ts';
export {
  accessPlugin,
  auditRequest,
  requirePermission,
  scopeOf,
  SESSION_COOKIE,
  CSRF_HEADER,
  PURPOSE_HEADER,
  type AccessPluginOptions,
  type RouteAccess,
} from './access.plugin.ts';
