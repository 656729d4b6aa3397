/**
 * Shapes with symbolic dimensions. A dim is a number (static) or a string (a named runtime size such as "B").
 * Convention: a symbolic dim is never 1-broadcast; use a literal 1 for axes that broadcast.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

export function isStaticShape(s: Shape): s is readonly number[] {
  return s.every((d) => typeof d === "number");
}

/** Normalises a possibly negative axis against a rank; throws naming `what` when out of range. */
export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank)
    throw new Error(`${what}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

function broadcastDim(a: Dim, b: Dim, what: string): Dim {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  // A symbolic dim meeting a static one takes the static size (symbols never broadcast).
  if (typeof a === "string" && typeof b === "number") return b;
  if (typeof b === "string" && typeof a === "number") return a;
  throw new Error(`${what}: cannot broadcast dims ${a} and ${b}`);
}

/** Numpy-style multidirectional broadcasting of any number of shapes. */
export function broadcastShapes(shapes: readonly Shape[], what: string): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = i - (rank - s.length);
      if (k >= 0) {
        try {
          d = broadcastDim(d, s[k], what);
        } catch (e) {
          throw new Error(`${(e as Error).message} (shapes ${shapes.map(formatShape).join(" and ")})`, { cause: e });
        }
      }
    }
    out.push(d);
  }
  return out;
}

/** Product of dims as a number, or undefined when any dim is symbolic. */
export function staticSize(s: Shape): number | undefined {
  let n = 1;
  for (const d of s) {
    if (typeof d !== "number") return undefined;
    n *= d;
  }
  return n;
}

/** True when two dims are known to differ (both static and unequal, or one static and the other a different symbol is unknown). */
export function dimsConflict(a: Dim, b: Dim): boolean {
  return typeof a === "number" && typeof b === "number" && a !== b;
}
