import { describe, expect, it } from "vitest";
import {
  add,
  cast,
  cos,
  div,
  erf,
  exp,
  log,
  mul,
  neg,
  pow,
  reciprocal,
  sigmoid,
  sin,
  sqrt,
  sub,
  tanh,
} from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";

const x23 = (seed: number, offset = 0) => randomF64([2, 3], seed, 1, offset);

describe("elementwise gradients vs central differences (float64)", () => {
  const unary = { neg, sqrt, reciprocal, exp, log, tanh, sigmoid, sin, cos };
  for (const [name, fn] of Object.entries(unary)) {
    it(name, async () => {
      // Positive inputs keep sqrt/log/reciprocal in their domain.
      const r = await checkGradients({
        inputs: [{ name: "x", feed: x23(1, 2), shape: ["B", 3] }],
        build: ([x]) => fn(x),
      });
      expect(r.checked).toBe(6);
    });
  }

  it("erf (float32 kernel, eps 1e-2, tolerance 2e-3)", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x23(2) }],
      build: ([x]) => cast(erf(cast(x, "float32")), "float64"),
      eps: 1e-2,
      atol: 2e-3,
      rtol: 2e-3,
    });
  });

  const binary = { add, sub, mul, div, pow };
  for (const [name, fn] of Object.entries(binary)) {
    it(`${name} with broadcasting [B,1,3] ⊕ [2,1]`, async () => {
      const r = await checkGradients({
        inputs: [
          { name: "a", feed: randomF64([2, 1, 3], 3, 1, 2), shape: ["B", 1, 3] },
          { name: "b", feed: randomF64([2, 1], 4, 0.5, 1.5) },
        ],
        build: ([a, b]) => fn(a, b),
      });
      expect(r.checked).toBe(8);
    });
  }

  it("scalar operands become constants of the tensor's dtype", async () => {
    await checkGradients({ inputs: [{ name: "x", feed: x23(5, 1) }], build: ([x]) => sub(div(2, x), mul(x, 0.5)) });
  });

  it("fan-out accumulates: x·x + exp(x)", async () => {
    await checkGradients({ inputs: [{ name: "x", feed: x23(6) }], build: ([x]) => add(mul(x, x), exp(x)) });
  });
});
