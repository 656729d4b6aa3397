import { describe, expect, it } from "vitest";
import { Rng } from "../engine/index.ts";
import {
  f32Tensor,
  peftAdapterConfig,
  peftTensorName,
  projectionModulePath,
  type F32Tensor,
  type LoraAdapter,
  type LoraSettings,
  type Projection,
} from "../models/index.ts";
import { applySafelora, selectForProjection } from "./safelora-projection.ts";

const r = 3;
const dims: Record<string, [number, number]> = { q_proj: [8, 6], v_proj: [4, 6], down_proj: [6, 10] };
const settings: LoraSettings = {
  r,
  alpha: 6,
  useRslora: false,
  dropout: 0,
  targetModules: ["q_proj", "v_proj", "down_proj"],
  layersToTransform: null,
};

function randomTensor(shape: number[], seed: number): F32Tensor {
  const rng = new Rng(seed);
  return f32Tensor(
    shape,
    Float32Array.from({ length: shape[0] * shape[1] }, () => rng.normal()),
  );
}

/** Two layers × three projections with random aligned/unaligned weights and random A, B. */
function setup() {
  const aligned = new Map<string, F32Tensor>();
  const unaligned = new Map<string, F32Tensor>();
  const tensors = new Map<string, F32Tensor>();
  let seed = 1;
  for (const layer of [0, 1]) {
    for (const [proj, [out, inF]] of Object.entries(dims)) {
      const target = { layer, projection: proj as Projection };
      const name = `${projectionModulePath(layer, target.projection)}.weight`;
      aligned.set(name, randomTensor([out, inF], seed++));
      // the unaligned model differs by a low-rank-ish perturbation plus noise so similarities spread out
      const u = randomTensor([out, inF], seed++);
      const w = aligned.get(name)!;
      unaligned.set(
        name,
        f32Tensor(
          [out, inF],
          w.data.map((x, i) => x - 0.5 * u.data[i] * (i % 3 === 0 ? 1 : 0.1)),
        ),
      );
      tensors.set(peftTensorName(target, "A"), randomTensor([r, inF], seed++));
      tensors.set(peftTensorName(target, "B"), randomTensor([out, r], seed++));
    }
  }
  const adapter: LoraAdapter = { settings, config: peftAdapterConfig(settings, null), tensors };
  return { aligned, unaligned, adapter };
}

type Matrix = number[][];
const matmul = (x: Matrix, y: Matrix): Matrix =>
  x.map((row) => y[0].map((_, j) => row.reduce((s, v, k) => s + v * y[k][j], 0)));
const transpose = (x: Matrix): Matrix => x[0].map((_, j) => x.map((row) => row[j]));
const toMatrix = (t: F32Tensor): Matrix =>
  Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.data.slice(i * t.shape[1], (i + 1) * t.shape[1])));
const dot = (x: Matrix, y: Matrix) => x.flat().reduce((s, v, i) => s + v * y.flat()[i], 0);

/** The definition, literally: C = V Vᵀ / ‖V‖_F, ΔW = B A, cos(C ΔW, ΔW), projected B = C B. */
function direct(wa: F32Tensor, wu: F32Tensor, a: F32Tensor, b: F32Tensor) {
  const v = toMatrix(wa).map((row, i) => row.map((x, j) => x - toMatrix(wu)[i][j]));
  const norm = Math.sqrt(dot(v, v));
  const c = matmul(v, transpose(v)).map((row) => row.map((x) => x / norm));
  const dw = matmul(toMatrix(b), toMatrix(a));
  const cdw = matmul(c, dw);
  return { c, cos: dot(cdw, dw) / Math.sqrt(dot(cdw, cdw) * dot(dw, dw)), cb: matmul(c, toMatrix(b)) };
}

describe("SafeLoRA projection", () => {
  it("reports the same similarities as the direct matrix computation and projects B to C B", () => {
    const { aligned, unaligned, adapter } = setup();
    const result = applySafelora(
      adapter,
      (n) => aligned.get(n),
      (n) => unaligned.get(n),
      { mode: "threshold", threshold: 0.5, topK: 0 },
    );
    expect(result.layers).toHaveLength(6);
    // the random setup must exercise both branches
    expect(result.projectedCount).toBeGreaterThan(0);
    expect(result.projectedCount).toBeLessThan(6);
    expect(result.layers.map((l) => `${l.layer}.${l.projection}`)).toEqual([
      "0.q_proj",
      "0.v_proj",
      "0.down_proj",
      "1.q_proj",
      "1.v_proj",
      "1.down_proj",
    ]);
    for (const l of result.layers) {
      const target = { layer: l.layer, projection: l.projection as Projection };
      const name = `${projectionModulePath(l.layer, target.projection)}.weight`;
      const a = adapter.tensors.get(peftTensorName(target, "A"))!;
      const b = adapter.tensors.get(peftTensorName(target, "B"))!;
      const d = direct(aligned.get(name)!, unaligned.get(name)!, a, b);
      expect(l.similarity).toBeCloseTo(d.cos, 9);
      expect(l.projected).toBe(d.cos < 0.5);
      // C is symmetric positive semi-definite: xᵀ C x ≥ 0 for the columns of B
      expect(d.c.every((row, i) => row.every((x, j) => Math.abs(x - d.c[j][i]) < 1e-9))).toBe(true);
      const newB = toMatrix(result.adapter.tensors.get(peftTensorName(target, "B"))!);
      const expected = l.projected ? d.cb : toMatrix(b);
      newB.flat().forEach((x, i) => expect(x).toBeCloseTo(expected.flat()[i], 4));
      // A is never changed
      expect(result.adapter.tensors.get(peftTensorName(target, "A"))).toBe(a);
    }
    expect(result.projectedCount).toBe(result.layers.filter((l) => l.projected).length);
    // the input adapter is not modified
    const original = setup().adapter;
    for (const [name, t] of adapter.tensors)
      expect(Array.from(t.data)).toEqual(Array.from(original.tensors.get(name)!.data));
  });

  it("after projection the update lies in C's image: the similarity of a projected weight rises", () => {
    const { aligned, unaligned, adapter } = setup();
    const src = { a: (n: string) => aligned.get(n), u: (n: string) => unaligned.get(n) };
    const first = applySafelora(adapter, src.a, src.u, { mode: "threshold", threshold: 1.01, topK: 0 });
    expect(first.projectedCount).toBe(6);
    const second = applySafelora(first.adapter, src.a, src.u, { mode: "threshold", threshold: -2, topK: 0 });
    expect(second.projectedCount).toBe(0);
    first.layers.forEach((l, i) => expect(second.layers[i].similarity).toBeGreaterThan(l.similarity - 1e-9));
  });

  it("top-k projects the k least similar weights", () => {
    const { aligned, unaligned, adapter } = setup();
    const result = applySafelora(
      adapter,
      (n) => aligned.get(n),
      (n) => unaligned.get(n),
      { mode: "top_k", threshold: 0, topK: 2 },
    );
    const sorted = [...result.layers].sort((x, y) => x.similarity - y.similarity);
    expect(result.layers.filter((l) => l.projected)).toEqual(expect.arrayContaining(sorted.slice(0, 2)));
    expect(result.projectedCount).toBe(2);
  });

  it("selection: thresholds, ties by position, NaN never projected", () => {
    const sims = [0.3, Number.NaN, 0.1, 0.3, 0.9];
    expect([...selectForProjection(sims, { mode: "threshold", threshold: 0.3, topK: 0 })]).toEqual([2]);
    expect([...selectForProjection(sims, { mode: "top_k", threshold: 0, topK: 2 })].sort()).toEqual([0, 2]);
    expect([...selectForProjection(sims, { mode: "top_k", threshold: 0, topK: 10 })].sort()).toEqual([0, 2, 3, 4]);
  });

  it("a weight with V = 0 reports NaN and is left alone", () => {
    const { aligned, adapter } = setup();
    const result = applySafelora(
      adapter,
      (n) => aligned.get(n),
      (n) => aligned.get(n),
      { mode: "threshold", threshold: 0.5, topK: 0 },
    );
    expect(result.layers.every((l) => Number.isNaN(l.similarity) && !l.projected)).toBe(true);
  });
});
