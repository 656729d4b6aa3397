import { attr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import { MS_DOMAIN } from "../onnx/encode-model.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/**
 * onnxruntime's contrib QuickGelu (com.microsoft; float32 on the CPU and WebGPU EPs) with alpha 1, which is
 * SiLU: x · σ(x) in one kernel (the CPU kernel is the same logistic and product as Sigmoid then Mul).
 */
export function siluKernel(x: Tensor): Tensor {
  if (x.dtype !== "float32") throw new Error(`QuickGelu(${x}): float32 only (the contrib kernel's type)`);
  const [y] = x.graph.addNode("QuickGelu", [x], { alpha: attr.float(1) }, [{ dtype: x.dtype, shape: x.shape }], {
    domain: MS_DOMAIN,
  });
  return y;
}

export const quickGeluOp: OpDef = {
  opType: "QuickGelu",
  domain: MS_DOMAIN,
  // d/dx x·σ(x) = σ + x·σ·(1 − σ) = σ + y·(1 − σ): four elementwise kernels on the saved output, where the
  // chain rule through Sigmoid and Mul takes six (σ's own rule plus the product rule's two branches and sum).
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const y = node.outputs[0];
    const s = b.sigmoid(x);
    return [b.mul(single(node, dOut), b.add(s, b.mul(y, b.sub(1, s))))];
  },
};
