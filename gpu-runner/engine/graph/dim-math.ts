import type { Dim } from "./shape.ts";

/**
 * Light arithmetic on symbolic dims for shape inference: products such as "B*T" and offsets such as "T-1".
 * When a result cannot be expressed, callers get undefined and use a fresh symbol.
 */
function factors(d: Dim): { coef: number; syms: string[] } {
  if (typeof d === "number") return { coef: d, syms: [] };
  if (/^[^*+-]+(\*[^*+-]+)*$/.test(d)) {
    let coef = 1;
    const syms: string[] = [];
    for (const part of d.split("*")) {
      if (/^\d+$/.test(part)) coef *= Number(part);
      else syms.push(part);
    }
    return { coef, syms };
  }
  return { coef: 1, syms: [d] };
}

function fromFactors(coef: number, syms: string[]): Dim {
  if (syms.length === 0) return coef;
  const s = [...syms].sort();
  return coef === 1 ? s.join("*") : `${coef}*${s.join("*")}`;
}

export function dimProduct(dims: readonly Dim[]): Dim {
  let coef = 1;
  const syms: string[] = [];
  for (const d of dims) {
    const f = factors(d);
    coef *= f.coef;
    syms.push(...f.syms);
  }
  return fromFactors(coef, syms);
}

/** a / b when it divides exactly, else undefined. */
export function dimQuotient(a: Dim, b: Dim): Dim | undefined {
  const fa = factors(a);
  const fb = factors(b);
  const syms = [...fa.syms];
  for (const s of fb.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return undefined;
    syms.splice(i, 1);
  }
  if (fb.coef === 0 || fa.coef % fb.coef !== 0) return undefined;
  return fromFactors(fa.coef / fb.coef, syms);
}

/** d + n for an integer offset n, simplifying "T-1" + 1 → "T". */
export function dimPlus(d: Dim, n: number): Dim {
  if (typeof d === "number") return d + n;
  if (n === 0) return d;
  const m = /^(.*)([+-])(\d+)$/.exec(d);
  if (m) {
    const off = (m[2] === "+" ? 1 : -1) * Number(m[3]) + n;
    return off === 0 ? m[1] : `${m[1]}${off > 0 ? "+" : "-"}${Math.abs(off)}`;
  }
  return `${d}${n > 0 ? "+" : "-"}${Math.abs(n)}`;
}

export function dimSum(dims: readonly Dim[]): Dim {
  let n = 0;
  const syms: string[] = [];
  for (const d of dims) {
    if (typeof d === "number") n += d;
    else syms.push(d);
  }
  if (syms.length === 0) return n;
  // k copies of one symbolic dim (e.g. a tiled axis) is the product k·d, comparable with reshape results.
  const base = syms.every((x) => x === syms[0]) ? dimProduct([syms.length, syms[0]]) : syms.join("+");
  return n === 0 ? base : dimPlus(base, n);
}
