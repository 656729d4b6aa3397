/**
 * When to try again. `schedule[i]` is the delay before attempt i+1 (the first is normally 0), so the
 * schedule's length is the number of attempts. Delays get ±10 % jitter so that deliveries failing together
 * (a receiver outage) do not all come back in the same instant.
 */
export const RETRY_JITTER = 0.1;
/** A `Retry-After` longer than this is capped: the receiver asked for more patience than we keep. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The delay before the next attempt after `attemptsMade` failed attempts, or null when none is left.
 * A `Retry-After` (429/503) is a lower bound on the delay.
 */
export function nextRetryDelayMs(
  schedule: readonly number[],
  attemptsMade: number,
  opts: { retryAfterMs?: number | null; random?: () => number } = {},
): number | null {
  if (attemptsMade >= schedule.length) return null;
  const base = schedule[attemptsMade];
  const random = opts.random ?? Math.random;
  const jittered = base === 0 ? 0 : Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
  const floor = Math.min(opts.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, floor);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now: Date): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}
