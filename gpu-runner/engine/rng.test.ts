import { describe, expect, it } from "vitest";
import { Rng } from "./rng.ts";

const take = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.uniform());

describe("Rng", () => {
  // The sfc32 reference stream (splitmix32 seeding, seed folding, 12 warm-up outputs). These bytes are what the
  // tiny-random model's weights and every LoRA initialisation are made of: a change here changes published weights.
  it("reproduces the sfc32 reference stream", () => {
    const zero = new Rng(0);
    expect(take(zero, 4)).toEqual([0.9791452463250607, 0.8250711336731911, 0.2846157543826848, 0.7095207434613258]);
    expect(zero.normal()).toBe(-0.37619724242703245);
    expect(zero.uniform(-2, 3)).toBe(-1.1442286362871528);
    expect(take(new Rng(7), 4)).toEqual([
      0.19514828245155513, 0.36103195301257074, 0.8405470312573016, 0.8431753262411803,
    ]);
    const tinyRandomDefault = new Rng(1234);
    expect(take(tinyRandomDefault, 4)).toEqual([
      0.8734200671315193, 0.048610875848680735, 0.9965632893145084, 0.5433950060978532,
    ]);
    expect(tinyRandomDefault.normal()).toBe(-0.753136667499113);
  });

  it("folds the high bits of seeds at or above 2^32 into the seed", () => {
    expect(take(new Rng(2 ** 32 + 7), 4)).toEqual([
      0.6297910176217556, 0.2836575894616544, 0.7146011658478528, 0.06774657010100782,
    ]);
    expect(take(new Rng(2 ** 40 + 12345), 4)).toEqual([
      0.6526518191676587, 0.03345422027632594, 0.007782146101817489, 0.8921354627236724,
    ]);
    expect(take(new Rng(2 ** 53 - 1), 4)).toEqual([
      0.4054343798197806, 0.702928799437359, 0.06636351626366377, 0.028389490209519863,
    ]);
    expect(take(new Rng(2 ** 32 + 7), 4)).not.toEqual(take(new Rng(7), 4));
  });

  it("resumes the exact stream from a saved state", () => {
    const rng = new Rng(2 ** 33 + 99);
    take(rng, 37);
    rng.normal();
    const saved = rng.state();
    expect(saved).toHaveLength(4);
    expect(saved.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)).toBe(true);
    const resumed = new Rng(JSON.parse(JSON.stringify(saved)) as number[]);
    const expected = [...take(rng, 20), rng.normal(), rng.int(1000)];
    expect([...take(resumed, 20), resumed.normal(), resumed.int(1000)]).toEqual(expected);
    expect(resumed.state()).toEqual(rng.state());
  });

  it("scales uniform to [low, high) and keeps int and shuffle in range", () => {
    const rng = new Rng(11);
    const xs = Array.from({ length: 2000 }, () => rng.uniform(-0.5, 0.25));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...xs)).toBeLessThan(0.25);
    const ints = Array.from({ length: 2000 }, () => rng.int(6));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(rng.shuffle([...Array(50).keys()]).sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it("rejects seeds and states it cannot reproduce", () => {
    expect(() => new Rng(1.5)).toThrow(/safe integer, got 1.5/);
    expect(() => new Rng(2 ** 53)).toThrow(RangeError);
    expect(() => new Rng(Number.NaN)).toThrow(RangeError);
    expect(() => new Rng([1, 2, 3])).toThrow(/four unsigned 32-bit integers/);
    expect(() => new Rng([1, 2, 3, -1])).toThrow(/four unsigned 32-bit integers/);
    expect(() => new Rng([1, 2, 3, 2 ** 32])).toThrow(RangeError);
  });
});
