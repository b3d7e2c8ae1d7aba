// The public surface of access: policy, masking, audit, accounts, tokens and the Fastify plugin.
//
// How other modules use it:
// - Every route declares `config: { permission: '<permission>' }` (see PERMISSIONS); a route without
//   one is refused to everyone. Token-bound routes add `resourceParam` (e.g. 'source').
// - Handlers that change children call `auditRequest(tx, req, clock, { action, childIds })` (or
//   `appendAudit(tx, entry)` outside HTTP) inside the transaction of the change. Handlers that only
//   read await `auditRead(audit, ...)` before answering: the server's `AuditWriter` appends the
//   entries of concurrent reads in one transaction (group commit).
// - Responses, exports and webhook payloads go through `maskFor(actor, purpose, object)`; lists
//   filter by `scopeOf(req)` (ERO officers: children whose current address state is in scope).
export * from './policy.ts';
export { maskFor, FIELD_RULES } from './mask.ts';
export { createAuditWriter, MAX_AUDIT_BATCH, type AuditWriter } from './audit-writer.ts';
export { appendAudit, verifyAudit, whoAccessed, type AuditEntry, type VerifyResult } from './audit.ts';
export { loadAccessSecrets, isDemoMode, type AccessSecrets } from './secrets.ts';
export {
  addUser,
  listUserSummaries,
  setUserLocked,
  seedDemoUsers,
  type DemoLogin,
  type AccessDeps,
} from './manage-users.ts';
export { signIn, signOut, createToken, revokeTokenById } from './sign-in.ts';
export { csrfTokenFor } from './credentials.ts';
export { listTokens } from './access.queries.ts';
export {
  accessPlugin,
  auditRequest,
  requirePermission,
  scopeOf,
  SESSION_COOKIE,
  CSRF_HEADER,
  PURPOSE_HEADER,
  LOGIN_PER_MINUTE,
  type AccessPluginOptions,
  type RouteAccess,
} from './access.plugin.ts';
export { oidcSettingsFromEnv, discoverOidc, type OidcSettings } from './oidc.ts';
export { jsonDepth, NUL_ESCAPE, checkJsonText } from './json-depth.ts';
export {
  actorOfRequest,
  auditAct,
  auditRead,
  auditedAct,
  auditedDb,
  auditedTaskDb,
  childrenInScope,
  childScopeSql,
  cliActor,
  currentStateSql,
  maskForActor,
  maskForSubscriber,
  scopeOfActor,
  type AuditActor,
} from './disclosure.ts';
