import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config/load-config.ts";
import { MAX_RETRY_AFTER_MS, nextRetryDelayMs, parseRetryAfter } from "./retry-schedule.ts";

const SPEC_SCHEDULE_S = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

describe("retry schedule", () => {
  it("defaults to the Standard Webhooks example schedule and reads overrides", () => {
    expect(loadConfig({}).webhooks.retryScheduleMs).toEqual(SPEC_SCHEDULE_S.map((s) => s * 1000));
    expect(loadConfig({ GUARDTUNE_WEBHOOK_RETRY_SCHEDULE: "0,100ms,2s,1m" }).webhooks.retryScheduleMs).toEqual([
      0, 100, 2000, 60000,
    ]);
    expect(() => loadConfig({ GUARDTUNE_WEBHOOK_RETRY_SCHEDULE: "0,soon" })).toThrow(
      /GUARDTUNE_WEBHOOK_RETRY_SCHEDULE/,
    );
  });

  it("waits the scheduled delay, ±10 % jitter, and gives up after the last attempt", () => {
    const schedule = SPEC_SCHEDULE_S.map((s) => s * 1000);
    for (let made = 1; made < schedule.length; made++) {
      expect(nextRetryDelayMs(schedule, made, { random: () => 0 })).toBe(Math.round(schedule[made] * 0.9));
      expect(nextRetryDelayMs(schedule, made, { random: () => 1 })).toBe(Math.round(schedule[made] * 1.1));
      const d = nextRetryDelayMs(schedule, made)!;
      expect(d).toBeGreaterThanOrEqual(schedule[made] * 0.9 - 1);
      expect(d).toBeLessThanOrEqual(schedule[made] * 1.1 + 1);
    }
    expect(nextRetryDelayMs(schedule, schedule.length)).toBeNull();
  });

  it("never retries sooner than Retry-After asks, within a cap", () => {
    expect(nextRetryDelayMs([0, 100, 100], 1, { retryAfterMs: 3000, random: () => 0.5 })).toBe(3000);
    expect(nextRetryDelayMs([0, 60_000], 1, { retryAfterMs: 1000, random: () => 0.5 })).toBe(60_000);
    expect(nextRetryDelayMs([0, 100], 1, { retryAfterMs: 10 * MAX_RETRY_AFTER_MS })).toBe(MAX_RETRY_AFTER_MS);
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
