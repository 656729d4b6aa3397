import { describe, expect, it } from "vitest";
import { AdamW } from "./adamw.ts";
import { clipGradNorm } from "./clip.ts";
import { linearScheduleLr } from "./schedule.ts";
import { Sgd } from "./sgd.ts";

/** The torch.optim.AdamW update in plain double precision. */
function adamwReference(
  p: number[],
  grads: number[][],
  lr: number,
  [b1, b2]: [number, number],
  eps: number,
  wd: number,
): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const out = [...p];
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < out.length; i++) {
      out[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      out[i] -= (lr / (1 - b1 ** t)) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps));
    }
  });
  return out;
}

describe("AdamW", () => {
  it("first step by hand: decay, then lr · m̂/(√v̂ + ε)", () => {
    const p = { w: Float32Array.from([1, -2]) };
    new AdamW({ lr: 0.1, weightDecay: 0.01 }).step(p, { w: Float32Array.from([0.5, -0.25]) });
    // 1·(1 − 0.001) − 0.1·0.5/(0.5 + 1e-8);  −2·0.999 + 0.1
    expect(p.w[0]).toBeCloseTo(0.899, 6);
    expect(p.w[1]).toBeCloseTo(-1.898, 6);
  });

  it("follows the torch formula over several steps (float32 rounding only)", () => {
    const init = [0.3, -1.2, 0.05, 2];
    const grads = [
      [0.1, -0.2, 0.3, 0],
      [0.05, 0.4, -0.3, 1e-3],
      [-0.2, 0.1, 0.1, -1e-3],
      [1, -1, 0.5, 0.25],
      [0, 0, 0, 0],
    ];
    const p = { w: Float32Array.from(init) };
    const opt = new AdamW({ lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    for (const g of grads) opt.step(p, { w: Float32Array.from(g) });
    const ref = adamwReference(init, grads, 1e-2, [0.9, 0.999], 1e-8, 0.01);
    Array.from(p.w).forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-6));
    expect(opt.stepCount).toBe(5);
  });

  it("resumes bit-identically from its state", () => {
    const grads = [Float32Array.from([0.1, -0.3]), Float32Array.from([0.2, 0.05]), Float32Array.from([-0.4, 0.3])];
    const straight = { w: Float32Array.from([1, 2]) };
    const a = new AdamW({ lr: 0.05 });
    for (const g of grads) a.step(straight, { w: g });
    const resumed = { w: Float32Array.from([1, 2]) };
    const b = new AdamW({ lr: 0.05 });
    b.step(resumed, { w: grads[0] });
    b.step(resumed, { w: grads[1] });
    const c = new AdamW({ lr: 0.05 });
    c.loadState(b.state());
    c.step(resumed, { w: grads[2] });
    expect(Array.from(resumed.w)).toEqual(Array.from(straight.w));
    expect(c.state()).toEqual(a.state());
  });

  it("rejects a missing or mis-sized gradient", () => {
    const opt = new AdamW({ lr: 1 });
    expect(() => opt.step({ w: new Float32Array(2) }, {})).toThrow(/no gradient for parameter 'w'/);
    expect(() => opt.step({ w: new Float32Array(2) }, { w: new Float32Array(3) })).toThrow(/3 elements/);
  });
});

describe("SGD", () => {
  it("plain, with weight decay, with momentum and Nesterov, by hand", () => {
    const p = { w: Float32Array.from([1]) };
    new Sgd({ lr: 0.1, weightDecay: 0.5 }).step(p, { w: Float32Array.from([2]) });
    expect(p.w[0]).toBeCloseTo(1 - 0.1 * 2.5, 7);
    const q = { w: Float32Array.from([0]) };
    const mom = new Sgd({ lr: 1, momentum: 0.9 });
    mom.step(q, { w: Float32Array.from([1]) }); // buf = 1
    mom.step(q, { w: Float32Array.from([1]) }); // buf = 1.9
    expect(q.w[0]).toBeCloseTo(-2.9, 6);
    const r = { w: Float32Array.from([0]) };
    const nes = new Sgd({ lr: 1, momentum: 0.5, nesterov: true });
    nes.step(r, { w: Float32Array.from([1]) }); // d = 1 + 0.5·1
    expect(r.w[0]).toBeCloseTo(-1.5, 7);
  });
});

describe("gradient clipping and schedule", () => {
  it("clips by the global norm over all tensors", () => {
    const a = Float32Array.from([3]);
    const b = Float32Array.from([4]);
    expect(clipGradNorm([a, b], 1)).toBe(5);
    expect(a[0]).toBeCloseTo(0.6, 6);
    expect(b[0]).toBeCloseTo(0.8, 6);
    const c = Float32Array.from([0.3, 0.4]);
    expect(clipGradNorm([c], 1)).toBeCloseTo(0.5, 7);
    expect(Array.from(c)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });

  it("linear warm-up then decay, as transformers", () => {
    const cfg = { baseLr: 1, warmupSteps: 2, totalSteps: 6 };
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((s) => linearScheduleLr(cfg, s))).toEqual([0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0]);
    expect(linearScheduleLr({ baseLr: 2, warmupSteps: 0, totalSteps: 4 }, 0)).toBe(2);
  });
});
