// One error type with stable codes; mapped to HTTP status and CLI exit code here and nowhere else.

export const errorCodes = {
  USAGE: { http: 400, exit: 2 },
  CONFIG_INVALID: { http: 500, exit: 78 },
  DATA_DIR_IN_USE: { http: 503, exit: 75 },
  DB_UNAVAILABLE: { http: 503, exit: 69 },
  MIGRATION_CHANGED: { http: 500, exit: 70 },
  NOT_FOUND: { http: 404, exit: 66 },
  CHILD_NOT_FOUND: { http: 404, exit: 66 },
  FILE_NOT_FOUND: { http: 404, exit: 66 },
  FEED_SOURCE_UNKNOWN: { http: 404, exit: 2 },
  FEED_ROW_INVALID: { http: 422, exit: 65 },
  FEED_FILE_INVALID: { http: 422, exit: 65 },
  BODY_INVALID: { http: 400, exit: 65 },
  BODY_TOO_LARGE: { http: 413, exit: 65 },
  UNAUTHENTICATED: { http: 401, exit: 77 },
  FORBIDDEN: { http: 403, exit: 77 },
  PURPOSE_REQUIRED: { http: 400, exit: 2 },
  AUDIT_CHAIN_BROKEN: { http: 500, exit: 65 },
  CONFLICT: { http: 409, exit: 75 },
  NOTIFY_EVENT_INVALID: { http: 422, exit: 65 },
  INTERNAL: { http: 500, exit: 70 },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return errorCodes[this.code].http;
  }

  get exitCode(): number {
    return errorCodes[this.code].exit;
  }
}

/** Coerces anything thrown into an Error, so callers never handle `unknown`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}

export function isBridgeError(thrown: unknown): thrown is BridgeError {
  return thrown instanceof BridgeError;
}
