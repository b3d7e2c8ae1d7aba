// When a failed delivery is tried again: exponential backoff with full jitter, then dead.

export interface RetryPolicy {
  /** Attempts before a delivery becomes a dead letter. */
  maxAttempts: number;
  /** Delay ceiling of the first retry, doubled each attempt. */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 2_000, capMs: 3_600_000 };

/**
 * Delay before attempt `attempt + 1`, given `attempt` attempts failed: uniform in
 * [ceiling/2, ceiling] where the ceiling doubles each attempt. Half the ceiling is kept so a retry
 * never comes back at once; the other half spreads workers that failed together.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export type AttemptOutcome = 'delivered' | 'retry' | 'dead' | 'gone';

export interface SendResult {
  /** The receiver took the message (HTTP 2xx, SMTP 2xx). */
  ok: boolean;
  /** HTTP 410: the endpoint is gone for good. */
  gone: boolean;
  /** HTTP status or SMTP reply code; null when no answer came (refused, timeout). */
  statusCode: number | null;
  error: string | null;
}

/** What an answer means for the delivery: done, gone (never retried), retried, or dead at the limit. */
export function classifyAttempt(result: SendResult, attempt: number, policy: RetryPolicy): AttemptOutcome {
  if (result.ok) return 'delivered';
  if (result.gone) return 'gone';
  return attempt >= policy.maxAttempts ? 'dead' : 'retry';
}
