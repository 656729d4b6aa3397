import type { Tensor } from "../graph/graph.ts";
import { add } from "../ops/add.ts";
import { erf } from "../ops/erf.ts";
import { mul } from "../ops/mul.ts";
import { siluKernel } from "../ops/quick-gelu.ts";
import { sigmoid } from "../ops/sigmoid.ts";

/** SiLU / swish: x · σ(x); one contrib kernel in float32 (see ops/quick-gelu.ts), primitives otherwise. */
export function silu(x: Tensor): Tensor {
  return x.dtype === "float32" ? siluKernel(x) : mul(x, sigmoid(x));
}

/** SwiGLU gating of a Llama MLP: silu(gate) ⊙ up. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  return mul(silu(gate), up);
}

/** Exact GELU: x · ½(1 + erf(x/√2)) (float32 only: ORT's Erf kernel). */
export function gelu(x: Tensor): Tensor {
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}
