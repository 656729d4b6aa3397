import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { add, attr, encodeModel, EngineSession, f32, Graph, matmul, reduceSum, softmax, transpose } from "../index.ts";
import { decodeModel } from "./decode-model.ts";
import { saveModel } from "./save-model.ts";
import { TEST_EP } from "../testing/test-ep.ts";

const dir = mkdtempSync(join(tmpdir(), "engine-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function smallModel(external: boolean): Graph {
  const g = new Graph("small");
  const x = g.input("x", "float32", ["B", 3]);
  const w = g.initializer("w", f32([2, 3], [1, 2, 3, 4, 5, 6]), { external });
  const b = g.initializer("b", f32([2], [0.5, -0.5]), { external });
  const y = add(matmul(x, transpose(w)), b); // [B, 2]
  g.output(softmax(y), "probs");
  g.output(reduceSum(y, [1]), "rowsum");
  return g;
}

describe("ONNX serialisation", () => {
  it("round-trips through the decoder: IR, opset, nodes, attributes, initializers, value infos", () => {
    const g = smallModel(false);
    const m = decodeModel(encodeModel(g));
    expect(m.irVersion).toBe(10);
    expect(m.opsets).toEqual([{ domain: "", version: 18 }]);
    expect(m.graphName).toBe("small");
    expect(m.nodes.map((n) => n.opType)).toEqual(g.nodes.map((n) => n.opType));
    const tr = m.nodes.find((n) => n.opType === "Transpose")!;
    expect(tr.attrs.perm).toEqual(attr.ints([1, 0]));
    const sm = m.nodes.find((n) => n.opType === "Softmax")!;
    expect(sm.attrs.axis).toEqual(attr.int(1));
    expect(m.inputs).toEqual([{ name: "x", dtype: "float32", shape: ["B", 3] }]);
    expect(m.outputs.map((o) => [o.name, o.shape])).toEqual([
      ["probs", ["B", 2]],
      ["rowsum", ["B"]],
    ]);
    const w = m.initializers.find((t) => t.name === "w")!;
    expect(w.dims).toEqual([2, 3]);
    expect(Array.from(new Float32Array(w.raw!.slice().buffer))).toEqual([1, 2, 3, 4, 5, 6]);
    // Negative int64 values (e.g. axes) survive the varint encoding.
    const h = new Graph();
    const t = h.input("t", "float32", [1]);
    const attrs = { axes: attr.ints([-1, 0, -9007199254740991]), axis: attr.int(-3), alpha: attr.float(0.25) };
    h.output(h.addNode("Identity", [t], attrs, [{ dtype: "float32", shape: [1] }])[0], "u");
    expect(decodeModel(encodeModel(h)).nodes[0].attrs).toEqual(attrs);
  });

  it("loads in onnxruntime with graphOptimizationLevel 'all' and computes the expected values", async () => {
    const s = await EngineSession.create(encodeModel(smallModel(false)), {
      ep: TEST_EP,
      graphOptimizationLevel: "all",
      intraOpThreads: 1,
    });
    const out = await s.run({ x: f32([2, 3], [1, 0, 0, 0, 1, 1]) });
    // y = [[1.5, 3.5], [5.5, 10.5]]
    expect(Array.from(out.rowsum.data as Float32Array)).toEqual([5, 16]);
    expect(out.probs.dims).toEqual([2, 2]);
    await s.release();
  });

  it("keeps external initializers out of the protobuf and loads them from the data file", async () => {
    const path = join(dir, "ext", "model.onnx");
    saveModel(smallModel(true), path);
    expect(existsSync(`${path}.data`)).toBe(true);
    const m = decodeModel(readFileSync(path));
    expect(m.initializers.every((t) => t.raw === undefined && t.external?.location === "model.onnx.data")).toBe(true);
    expect(m.initializers.find((t) => t.name === "b")!.external!.offset).toBe("4096");
    const s = await EngineSession.create(path, { ep: TEST_EP, graphOptimizationLevel: "all", intraOpThreads: 1 });
    const out = await s.run({ x: f32([1, 3], [1, 0, 0]) });
    expect(Array.from(out.rowsum.data as Float32Array)).toEqual([5]);
    await s.release();
  });

  const fixture = join(process.cwd(), "..", "shared", "fixtures", "hf-oracle", "tiny-llama", "model.onnx");
  describe.skipIf(!existsSync(fixture))("decoder on a torch.onnx export (needs ../shared fixtures)", () => {
    it("reads the tiny-llama export's inputs and nodes", () => {
      const m = decodeModel(readFileSync(fixture));
      expect(m.inputs.map((i) => i.name)).toEqual(["input_ids", "attention_mask"]);
      expect(m.nodes.some((n) => n.opType === "MatMul")).toBe(true);
    });
  });
});
