/**
 * The SwiGLU MLP, down(silu(gate x) ⊙ up x), cut along its intermediate dimension I when the activations
 * [B, T, I] would exceed a buffer limit: column chunk c computes gate/up rows c, their product, and its share
 * of the down projection (down's columns c); the shares are summed. Exact up to float32 summation order; LoRA
 * follows the cut (gate/up: rows c of B after one shared x·Aᵀ; down: columns c of A and of the dropout mask).
 */
import { add, dropout, linear, slice, swiglu, type Tensor } from "../../engine/index.ts";
import { projectionModulePath, type Projection } from "../config/weight-catalogue.ts";
import { loraUpdate, projection, projectionGroup, type ProjectionPass } from "./decoder-projections.ts";

/** x [..., H] → [..., H]: MLP of `layer`, in column chunks of at most `maxColumns` (one when I fits). */
export function mlp(pass: ProjectionPass, x: Tensor, layer: number, maxColumns = Infinity): Tensor {
  const weight = (proj: Projection) => pass.weights.get(`${projectionModulePath(layer, proj)}.weight`)!;
  const width = weight("gate_proj").shape[0] as number;
  if (width <= maxColumns) {
    const [gate, up] = projectionGroup(pass, x, layer, ["gate_proj", "up_proj"], { separateBase: true });
    return projection(pass, swiglu(gate, up), layer, "down_proj"); // [..., H]
  }
  const gateRows = rowChunks(pass, x, layer, "gate_proj");
  const upRows = rowChunks(pass, x, layer, "up_proj");
  const downPath = projectionModulePath(layer, "down_proj");
  const down = weight("down_proj"); // [H, I]
  const lora = pass.lora?.get(downPath);
  let y: Tensor | undefined;
  let u: Tensor | undefined; // [..., r]: Σ_c act_c · A[:, c]ᵀ
  for (let s = 0; s < width; s += maxColumns) {
    const e = Math.min(width, s + maxColumns);
    const act = swiglu(gateRows(s, e), upRows(s, e)); // [..., e − s]
    const part = linear(act, slice(down, [s], [e], [1]));
    y = y === undefined ? part : add(y, part);
    if (lora) {
      const dropped = lora.keepMask ? dropout(act, slice(lora.keepMask, [s], [e], [-1]), lora.dropout) : act;
      const share = linear(dropped, slice(lora.a, [s], [e], [1])); // [..., r]
      u = u === undefined ? share : add(u, share);
    }
  }
  const bias = pass.weights.get(`${downPath}.bias`);
  const out = bias ? add(y!, bias) : y!;
  return lora ? loraUpdate(out, u!, lora) : out;
}

/** Rows [s, e) of a projection's output: x·W[s:e]ᵀ (+ b[s:e]) + scale·(x·Aᵀ)·B[s:e]ᵀ, x·Aᵀ computed once. */
function rowChunks(pass: ProjectionPass, x: Tensor, layer: number, proj: Projection) {
  const path = projectionModulePath(layer, proj);
  const w = pass.weights.get(`${path}.weight`)!;
  const bias = pass.weights.get(`${path}.bias`);
  const lora = pass.lora?.get(path);
  const u = lora && linear(lora.keepMask ? dropout(x, lora.keepMask, lora.dropout) : x, lora.a); // [..., r]
  return (s: number, e: number): Tensor => {
    const y = linear(x, slice(w, [s], [e], [0]), bias && slice(bias, [s], [e], [0]));
    return lora ? loraUpdate(y, u!, { ...lora, b: slice(lora.b, [s], [e], [0]) }) : y;
  };
}
