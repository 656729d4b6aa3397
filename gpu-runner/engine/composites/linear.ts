import type { Tensor } from "../graph/graph.ts";
import { add } from "../ops/add.ts";
import { matmul } from "../ops/matmul.ts";
import { mul } from "../ops/mul.ts";
import { transpose } from "../ops/transpose.ts";

/**
 * y = x Wᵀ (+ bias) with W in the Hugging Face layout [out, in]; x [..., in] → [..., out].
 * ORT folds the Transpose of a frozen initializer and fuses Transpose+MatMul into FusedMatMul otherwise.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (weight.rank !== 2) throw new Error(`linear: weight ${weight} must be [out, in]`);
  const y = matmul(x, transpose(weight, [1, 0]));
  return bias ? add(y, bias) : y;
}

export interface LoraWeights {
  /** [r, in] (PEFT lora_A.weight) */
  readonly a: Tensor;
  /** [out, r] (PEFT lora_B.weight) */
  readonly b: Tensor;
  /** alpha / r (or alpha / √r for rsLoRA). */
  readonly scale: number;
}

/** y = x Wᵀ (+ bias) + scale · (x Aᵀ) Bᵀ, as PEFT's LoRA Linear (no dropout). */
export function loraLinear(x: Tensor, weight: Tensor, lora: LoraWeights | undefined, bias?: Tensor): Tensor {
  const base = linear(x, weight, bias);
  if (!lora) return base;
  const delta = linear(linear(x, lora.a), lora.b); // [..., out]
  return add(base, mul(delta, lora.scale));
}
