/**
 * AdamW with torch.optim.AdamW's arithmetic (single-tensor CPU path), reproduced in float32 step by step:
 *   p ← p·(1 − lr·wd);  m ← lerp(m, g, 1 − β₁);  v ← v·β₂ + (1 − β₂)·g·g
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * Scalars are computed in double (Python floats) and rounded to float32 where torch applies them to a tensor.
 */
export interface AdamWConfig {
  readonly lr: number;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  readonly weightDecay?: number;
}

export interface AdamWState {
  readonly step: number;
  readonly m: Readonly<Record<string, Float32Array>>;
  readonly v: Readonly<Record<string, Float32Array>>;
}

const f = Math.fround;

export class AdamW {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private m = new Map<string, Float32Array>();
  private v = new Map<string, Float32Array>();

  constructor(config: AdamWConfig) {
    this.lr = config.lr;
    [this.beta1, this.beta2] = config.betas ?? [0.9, 0.999];
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? 0.01;
  }

  get stepCount(): number {
    return this.t;
  }

  /** One update of every parameter in place; `lr` overrides the configured rate (schedules). */
  step(
    params: Readonly<Record<string, Float32Array>>,
    grads: Readonly<Record<string, Float32Array>>,
    lr = this.lr,
  ): void {
    this.t += 1;
    const t = this.t;
    const decay = f(1 - lr * this.weightDecay);
    const w1 = f(1 - this.beta1);
    const b2 = f(this.beta2);
    const c2 = f(1 - this.beta2);
    const stepSize = f(-(lr / (1 - this.beta1 ** t)));
    const bc2Sqrt = f(Math.sqrt(1 - this.beta2 ** t));
    const eps = f(this.eps);
    for (const [name, p] of Object.entries(params)) {
      const g = grads[name];
      if (g === undefined) throw new Error(`AdamW: no gradient for parameter '${name}'`);
      if (g.length !== p.length)
        throw new Error(`AdamW: gradient of '${name}' has ${g.length} elements, parameter ${p.length}`);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        m = new Float32Array(p.length);
        v = new Float32Array(p.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const pi = f(p[i] * decay);
        // lerp with weight < 0.5: m + w·(g − m), one rounding as torch's fused multiply-add
        const mi = f(m[i] + w1 * f(gi - m[i]));
        const vi = f(f(v[i] * b2) + f(f(c2 * gi) * gi));
        const denom = f(f(f(Math.sqrt(vi)) / bc2Sqrt) + eps);
        p[i] = f(pi + f(f(stepSize * mi) / denom));
        m[i] = mi;
        v[i] = vi;
      }
    }
  }

  /** Moments and step count, for exact resumption. */
  state(): AdamWState {
    const copy = (src: Map<string, Float32Array>) =>
      Object.fromEntries([...src].map(([k, a]) => [k, Float32Array.from(a)]));
    return { step: this.t, m: copy(this.m), v: copy(this.v) };
  }

  loadState(s: AdamWState): void {
    this.t = s.step;
    this.m = new Map(Object.entries(s.m).map(([k, a]) => [k, Float32Array.from(a)]));
    this.v = new Map(Object.entries(s.v).map(([k, a]) => [k, Float32Array.from(a)]));
  }
}
