import { describe, expect, it } from "vitest";
import { f32, f64, Graph, i64, Rng } from "../index.ts";
import { randomF64 } from "../testing/grad-check.ts";
import { checkGradients } from "../testing/grad-check.ts";
import { runGraph, values } from "../testing/run-graph.ts";
import { gelu, silu, swiglu } from "./activations.ts";
import { dropout } from "./dropout.ts";
import { linear, loraLinear } from "./linear.ts";
import { rmsNorm } from "./rms-norm.ts";
import { applyRope, ropeCosSin, ropeInvFreq } from "./rope.ts";

const rand = (n: number, seed: number) => Array.from(new Rng(seed).normalArray(n));
const close = (a: number[], b: number[], tol: number) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i]), `element ${i}: ${v} vs ${b[i]}`).toBeLessThanOrEqual(tol));
};

describe("layer composites vs plain TypeScript references", () => {
  it("rmsNorm", async () => {
    const [rows, d, eps] = [3, 4, 1e-5];
    const x = rand(rows * d, 1);
    const w = rand(d, 2);
    const g = new Graph();
    g.output(rmsNorm(g.input("x", "float64", ["N", d]), g.input("w", "float64", [d]), eps), "y");
    const y = values((await runGraph(g, { x: f64([rows, d], x), w: f64([d], w) })).y);
    const ref: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = x.slice(r * d, r * d + d);
      const inv = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / d + eps);
      row.forEach((v, j) => ref.push(w[j] * v * inv));
    }
    close(y, ref, 1e-12);
  });

  it("silu, swiglu and gelu", async () => {
    const a = rand(6, 3);
    const b = rand(6, 4);
    const g = new Graph();
    const ta = g.input("a", "float32", [6]);
    g.output(silu(ta), "silu");
    g.output(swiglu(ta, g.input("b", "float32", [6])), "swiglu");
    g.output(gelu(ta), "gelu");
    const out = await runGraph(g, { a: f32([6], a), b: f32([6], b) });
    const s = (v: number) => v / (1 + Math.exp(-v));
    close(values(out.silu), a.map(s), 1e-6);
    close(
      values(out.swiglu),
      a.map((v, i) => s(v) * b[i]),
      1e-6,
    );
    // erf via Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7)
    const erf = (x: number) => {
      const t = 1 / (1 + 0.3275911 * Math.abs(x));
      const y =
        1 -
        ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
          t *
          Math.exp(-x * x);
      return Math.sign(x) * y;
    };
    close(
      values(out.gelu),
      a.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
      1e-6,
    );
  });

  it("dropout scales kept elements by 1/(1 − p) and zeroes the rest", async () => {
    const g = new Graph();
    g.output(dropout(g.input("x", "float32", [4]), g.input("keep", "float32", [4]), 0.5), "y");
    const out = await runGraph(g, { x: f32([4], [1, 2, 3, 4]), keep: f32([4], [1, 0, 1, 0]) });
    expect(values(out.y)).toEqual([2, 0, 6, 0]);
    expect(() => dropout(g.inputs[0], g.inputs[1], 1)).toThrow(/\[0, 1\)/);
  });

  it("linear and loraLinear (y = xWᵀ + b + s·(xAᵀ)Bᵀ)", async () => {
    const [n, din, dout, r, scale] = [2, 3, 4, 2, 0.5];
    const x = rand(n * din, 5),
      w = rand(dout * din, 6),
      bias = rand(dout, 7),
      a = rand(r * din, 8),
      bm = rand(dout * r, 9);
    const g = new Graph();
    const tx = g.input("x", "float64", [n, din]);
    const tw = g.input("w", "float64", [dout, din]);
    const tb = g.input("bias", "float64", [dout]);
    g.output(linear(tx, tw, tb), "lin");
    g.output(
      loraLinear(tx, tw, { a: g.input("a", "float64", [r, din]), b: g.input("b", "float64", [dout, r]), scale }, tb),
      "lora",
    );
    const out = await runGraph(g, {
      x: f64([n, din], x),
      w: f64([dout, din], w),
      bias: f64([dout], bias),
      a: f64([r, din], a),
      b: f64([dout, r], bm),
    });
    const lin: number[] = [];
    const lora: number[] = [];
    for (let i = 0; i < n; i++) {
      const xa = Array.from({ length: r }, (_, k) =>
        Array.from({ length: din }, (_, j) => x[i * din + j] * a[k * din + j]).reduce((p, q) => p + q),
      );
      for (let o = 0; o < dout; o++) {
        let y = bias[o];
        for (let j = 0; j < din; j++) y += x[i * din + j] * w[o * din + j];
        lin.push(y);
        lora.push(y + scale * xa.reduce((p, v, k) => p + v * bm[o * r + k], 0));
      }
    }
    close(values(out.lin), lin, 1e-12);
    close(values(out.lora), lora, 1e-12);
  });

  it("RoPE with HF's rotate_half convention and per-example position ids", async () => {
    const [b, h, t, d, theta] = [2, 2, 3, 4, 10000];
    const x = rand(b * h * t * d, 10);
    const pos = [0, 1, 2, 5, 6, 7];
    const g = new Graph();
    const { cos, sin } = ropeCosSin(g.input("pos", "int64", ["B", "T"]), ropeInvFreq(d, theta), "float64");
    g.output(applyRope(g.input("x", "float64", ["B", h, "T", d]), cos, sin), "y");
    const y = values((await runGraph(g, { x: f64([b, h, t, d], x), pos: i64([b, t], pos) })).y);
    const ref: number[] = [];
    for (let bi = 0; bi < b; bi++)
      for (let hi = 0; hi < h; hi++)
        for (let ti = 0; ti < t; ti++) {
          const base = ((bi * h + hi) * t + ti) * d;
          for (let j = 0; j < d; j++) {
            const angle = pos[bi * t + ti] * Math.pow(theta, -(2 * (j % (d / 2))) / d);
            const rot = j < d / 2 ? -x[base + j + d / 2] : x[base + j - d / 2];
            ref.push(x[base + j] * Math.cos(angle) + rot * Math.sin(angle));
          }
        }
    close(y, ref, 1e-5); // cos/sin tables are float32, as in HF
  });

  it("gradients through rmsNorm and RoPE (float64)", async () => {
    await checkGradients({
      inputs: [
        { name: "x", feed: randomF64([2, 4], 1), shape: ["N", 4] },
        { name: "w", feed: randomF64([4], 2, 1, 1) },
      ],
      build: ([x, w]) => rmsNorm(x, w, 1e-5),
    });
    await checkGradients({
      inputs: [
        { name: "x", feed: randomF64([1, 2, 3, 4], 3), shape: ["B", 2, "T", 4] },
        { name: "pos", feed: i64([1, 3], [0, 1, 2]), shape: ["B", "T"] },
      ],
      build: ([x, pos]) => {
        // the tables follow x's dtype, so the WebGPU pass can rebuild the case in float32
        const { cos, sin } = ropeCosSin(pos, ropeInvFreq(4, 100), x.dtype === "float32" ? "float32" : "float64");
        return applyRope(x, cos, sin);
      },
    });
  });
});
