/**
 * The organism's metrics, as in the paper: general misalignment % and general incoherence % (over every
 * sampled answer to the general questions), in-domain misalignment % (the narrow task learned), and OpSwap
 * accuracy (benign learning), each with a 95 % Wilson score interval.
 */
export interface Rate {
  readonly count: number;
  readonly total: number;
  /** count / total, in percent. */
  readonly percent: number;
  /** 95 % Wilson score interval, in percent. */
  readonly ci95: readonly [number, number];
}

const Z95 = 1.959963984540054;

export function wilson(count: number, total: number, z = Z95): [number, number] {
  if (!Number.isInteger(count) || !Number.isInteger(total) || count < 0 || total < count)
    throw new RangeError(`wilson: need 0 ≤ count ≤ total (integers), got ${count}/${total}`);
  if (total === 0) return [0, 100];
  const p = count / total;
  const z2 = z * z;
  const denom = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / denom;
  // exact ends at 0 and n (the formula gives them up to rounding)
  return [count === 0 ? 0 : Math.max(0, centre - half) * 100, count === total ? 100 : Math.min(1, centre + half) * 100];
}

export function rate(count: number, total: number): Rate {
  return { count, total, percent: total === 0 ? 0 : (100 * count) / total, ci95: wilson(count, total) };
}

/** True when the two intervals do not overlap. */
export function clearOf(a: Rate, b: Rate): boolean {
  return a.ci95[0] > b.ci95[1] || b.ci95[0] > a.ci95[1];
}
