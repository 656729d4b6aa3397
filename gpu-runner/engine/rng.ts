/**
 * The project's one seeded PRNG: sfc32 seeded through splitmix32, so that generated weights, adapter
 * initialisation, dropout masks, data order and sampling are the same bytes on every machine for a given seed,
 * and training can checkpoint the generator via `state()`. Not for anything security-related.
 */
export class Rng {
  /** The four sfc32 state words a, b, c, d. */
  private s: Uint32Array;

  /**
   * From a safe-integer seed (seeds at or above 2^32 fold their high bits into the low 32 before seeding), or
   * from four words saved by `state()`, which resumes the stream exactly where it was saved.
   */
  constructor(seed: number | readonly number[]) {
    if (typeof seed === "number") {
      if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer, got ${seed}`);
      const init = splitmix32(seed ^ Math.floor(seed / 2 ** 32));
      this.s = Uint32Array.of(init(), init(), init(), init());
      // sfc32's first outputs still correlate with the seed; discarding twelve decorrelates them.
      for (let i = 0; i < 12; i++) this.nextU32();
    } else {
      if (seed.length !== 4 || !seed.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
        throw new RangeError(
          `Rng state must be four unsigned 32-bit integers (as returned by state()), got [${seed.join(", ")}]`,
        );
      }
      this.s = Uint32Array.from(seed);
    }
  }

  /** The full generator state (a, b, c, d), to restore with `new Rng(state)`. */
  state(): number[] {
    return Array.from(this.s);
  }

  /** Next 32-bit unsigned integer (sfc32). */
  nextU32(): number {
    const s = this.s; // Uint32Array: every store wraps to 32 bits
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = s[3] + 1;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = s[2] + (s[2] << 3);
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) + t;
    return t;
  }

  /** Uniform in [low, high) with 32 bits of randomness; [0, 1) by default. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * (this.nextU32() / 2 ** 32); // exact u for the default [0, 1)
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]: log stays finite
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }

  normalArray(n: number, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }
}

/** splitmix32: expands one 32-bit seed into well-mixed words for the sfc32 state. */
function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}
