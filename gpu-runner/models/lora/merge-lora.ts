/**
 * Folds a LoRA adapter into base weights: W' = W + s·B·A for every targeted projection (peft's
 * merge_and_unload). Pure: the input map and tensors are not modified; untouched weights are shared.
 */
import type { F32Tensor } from "../io/f32-tensor.ts";
import { f32Tensor } from "../io/f32-tensor.ts";
import { projectionModulePath } from "../config/weight-catalogue.ts";
import { ModelFileError } from "../model-file-error.ts";
import { adapterTargets, type LoraAdapter } from "./peft-adapter.ts";
import { loraScale, peftTensorName } from "./lora-settings.ts";

export function mergeLora(weights: ReadonlyMap<string, F32Tensor>, adapter: LoraAdapter): Map<string, F32Tensor> {
  const merged = new Map(weights);
  const scale = loraScale(adapter.settings);
  const r = adapter.settings.r;
  for (const target of adapterTargets(adapter)) {
    const name = `${projectionModulePath(target.layer, target.projection)}.weight`;
    const w = weights.get(name);
    const a = adapter.tensors.get(peftTensorName(target, "A"))!; // [r, in]
    const b = adapter.tensors.get(peftTensorName(target, "B"))!; // [out, r]
    if (w === undefined)
      throw new ModelFileError("adapter_invalid", `adapter targets ${name}, which the model does not have`);
    const [out, inFeatures] = w.shape; // [out, in]
    if (a.shape[0] !== r || a.shape[1] !== inFeatures || b.shape[0] !== out || b.shape[1] !== r) {
      throw new ModelFileError(
        "adapter_invalid",
        `adapter shapes A [${a.shape}] B [${b.shape}] do not fit ${name} [${w.shape}]`,
      );
    }
    const result = new Float32Array(w.data);
    const row = new Float64Array(inFeatures);
    for (let o = 0; o < out; o++) {
      row.fill(0);
      for (let k = 0; k < r; k++) {
        const bk = b.data[o * r + k];
        const aRow = k * inFeatures;
        for (let i = 0; i < inFeatures; i++) row[i] += bk * a.data[aRow + i];
      }
      const base = o * inFeatures;
      for (let i = 0; i < inFeatures; i++) result[base + i] += Math.fround(Math.fround(row[i]) * scale);
    }
    merged.set(name, f32Tensor(w.shape, result));
  }
  return merged;
}
