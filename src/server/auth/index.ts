/** Authentication and authorization for the HTTP server: what the server imports. */
export { Accounts, DEFAULT_API_TOKEN_DAYS, type TokenView, type UserView } from "./accounts.js";
export type { AuthStore, TokenRecord, UserPatch, UserRecord } from "./auth-store.js";
export { Authenticator, type AuthenticatorOptions } from "./authenticator.js";
export { BOOTSTRAP_ADMIN, bootstrapAdmin, type BootstrapResult } from "./bootstrap-admin.js";
export { LoginRateLimiter, type LoginRateLimiterOptions } from "./login-rate-limiter.js";
export {
  LoginService,
  SESSION_TTL_MS,
  type LoginResult,
  type LoginServiceOptions,
} from "./login.js";
export {
  DEFAULT_SCRYPT_PARAMS,
  MAX_PASSWORD_BYTES,
  PasswordHasher,
  type ScryptParams,
} from "./password-hash.js";
export { checkPasswordPolicy, MIN_PASSWORD_LENGTH, passwordProblems } from "./password-policy.js";
export { authorize, can, PERMISSIONS, type Action, type Resource } from "./permissions.js";
export { isRole, ROLES, type Principal, type Role } from "./principal.js";
export { SqliteAuthStore } from "./sqlite-auth-store.js";
export { TOKEN_PREFIXES, tokenKind, type TokenKind } from "./token-format.js";
export { checkUsername, USERNAME_PATTERN } from "./username.js";
export { PostgresAuthStore } from "./postgres-auth-store.js";
export { openAuthStore } from "./open-auth-store.js";
