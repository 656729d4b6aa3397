import { describe, expect, it } from "vitest";
import { createLogger } from "../log/logger.ts";
import { backoffDelayMs } from "./backoff.ts";
import { runOnce, startLoop, startPassLoop } from "./loop.ts";

const logger = createLogger("silent");
const tick = () => new Promise((r) => setTimeout(r, 20));
/** Resolves once `cond()` holds (checked on every macrotask), so no assertion depends on machine speed. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe("backoff", () => {
  it("doubles from the base up to the cap, and 0 means at once", () => {
    const policy = { baseMs: 1000, maxMs: 5000 };
    expect([1, 2, 3, 4, 50].map((n) => backoffDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoffDelayMs({ baseMs: 0, maxMs: 5000 }, 3)).toBe(0);
  });
});

describe("loop", () => {
  it("handles work until fetch finds none, then waits until woken", async () => {
    const work = [1, 2, 3];
    const handled: number[] = [];
    const loop = startLoop({
      name: "t",
      logger,
      idleMs: 60_000,
      fetch: async () => work.shift() ?? null,
      handle: async (n) => void handled.push(n),
    });
    await until(() => handled.length === 3);
    expect(handled).toEqual([1, 2, 3]);
    work.push(4);
    await tick();
    expect(handled).toEqual([1, 2, 3]); // idle: not fetched again yet
    loop.wake();
    await until(() => handled.length === 4);
    expect(handled).toEqual([1, 2, 3, 4]);
    await loop.close();
  });

  it("survives failures with a backoff and closes idempotently, aborting a fetch in progress", async () => {
    let calls = 0;
    let aborted = false;
    const loop = startLoop({
      name: "t",
      logger,
      idleMs: 0,
      errorBackoff: { baseMs: 1, maxMs: 1 },
      fetch: (signal) => {
        calls++;
        if (calls < 3) return Promise.reject(new Error("down"));
        // A long poll that only the close ends.
        return new Promise<null>((resolve) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            resolve(null);
          }),
        );
      },
    });
    await until(() => calls === 3);
    const a = loop.close();
    expect(loop.close()).toBe(a);
    await a;
    expect([aborted, loop.signal.aborted]).toEqual([true, true]);
  });

  it("waits for the work in hand before close resolves", async () => {
    let finished = false;
    let started!: () => void;
    const begun = new Promise<void>((r) => (started = r));
    const loop = startLoop({
      name: "t",
      logger,
      idleMs: 60_000,
      fetch: async () => (finished ? null : 1),
      handle: async () => {
        started();
        await new Promise((r) => setTimeout(r, 50));
        finished = true;
      },
    });
    await begun;
    await loop.close();
    expect(finished).toBe(true);
  });

  it("runs a pass again at once while it reports more, and once via runOnce", async () => {
    let passes = 0;
    const loop = startPassLoop({ name: "p", logger, intervalMs: 60_000, pass: async () => ++passes < 3 });
    await until(() => passes === 3);
    await tick();
    expect(passes).toBe(3); // the third pass reported no more: idle until the interval
    await loop.close();
    expect(await runOnce({ name: "o", logger, idleMs: 0, fetch: async () => null })).toBe(false);
  });
});
