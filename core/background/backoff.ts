/**
 * The one exponential backoff of background work: `baseMs · factor^(attempt − 1)`, capped at `maxMs`.
 * Used for a loop's failing fetches, the outbox relay's failed sends and the runner's retried jobs, so
 * that every "try again later" in the service grows the same way.
 */
export interface BackoffPolicy {
  /** Delay before the first retry. 0 retries at once. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per attempt (2 by default). */
  factor?: number;
}

/** Delay before retry number `attempt` (1 = the first retry), in milliseconds. */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number): number {
  if (policy.baseMs <= 0) return 0;
  // The exponent is bounded so that a long-failing attempt counter never overflows to Infinity.
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  return Math.min(policy.maxMs, policy.baseMs * (policy.factor ?? 2) ** exponent);
}

/** A failure counter over a policy: `next()` gives the delay for one more consecutive failure, `reset()` clears it. */
export class Backoff {
  #failures = 0;

  constructor(readonly policy: BackoffPolicy) {}

  next(): number {
    this.#failures++;
    return backoffDelayMs(this.policy, this.#failures);
  }

  reset(): void {
    this.#failures = 0;
  }
}

/** What a loop waits after a failing fetch or handle: 250 ms, doubling up to 10 s. */
export const LOOP_ERROR_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };
