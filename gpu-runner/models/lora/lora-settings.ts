/**
 * What a LoRA adapter changes: rank, alpha, rsLoRA, dropout and the targeted (layer, projection) pairs,
 * resolved from PEFT's `target_modules` rules: a list matches a module whose name equals an entry or
 * ends with `.entry`, a string is a regular expression that must match the whole name, and
 * "all-linear" means every projection (lm_head excluded).
 */
import type { DecoderConfig } from "../config/decoder-config.ts";
import { PROJECTIONS, projectionModulePath, type Projection } from "../config/weight-catalogue.ts";

export interface LoraSettings {
  r: number;
  alpha: number;
  /** Scale alpha/sqrt(r) instead of alpha/r. */
  useRslora: boolean;
  dropout: number;
  targetModules: readonly string[] | string;
  /** Only these layer indices, or all when null (PEFT `layers_to_transform`). */
  layersToTransform: readonly number[] | null;
}

export interface LoraTarget {
  layer: number;
  projection: Projection;
}

/** The factor in W + s·B·A. */
export function loraScale(settings: Pick<LoraSettings, "r" | "alpha" | "useRslora">): number {
  return settings.useRslora ? settings.alpha / Math.sqrt(settings.r) : settings.alpha / settings.r;
}

export function targetsModule(settings: LoraSettings, modulePath: string): boolean {
  const t = settings.targetModules;
  if (t === "all-linear") return true;
  if (typeof t === "string") return new RegExp(`^(?:${t})$`, "u").test(modulePath);
  return t.some((entry) => modulePath === entry || modulePath.endsWith(`.${entry}`));
}

/** Every targeted projection of the model, ordered by layer then q, k, v, o, gate, up, down. */
export function loraTargets(settings: LoraSettings, config: DecoderConfig): LoraTarget[] {
  const out: LoraTarget[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    if (settings.layersToTransform !== null && !settings.layersToTransform.includes(layer)) continue;
    for (const projection of PROJECTIONS) {
      if (targetsModule(settings, projectionModulePath(layer, projection))) out.push({ layer, projection });
    }
  }
  return out;
}

/** PEFT's saved tensor name, e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight. */
export function peftTensorName(target: LoraTarget, matrix: "A" | "B"): string {
  return `base_model.model.${projectionModulePath(target.layer, target.projection)}.lora_${matrix}.weight`;
}

const PEFT_NAME = /^base_model\.model\.model\.layers\.(\d+)\.(?:self_attn|mlp)\.([a-z_]+)\.lora_([AB])\.weight$/;

/** Inverse of peftTensorName, or undefined for names that are not LoRA matrices of a projection. */
export function parsePeftTensorName(name: string): (LoraTarget & { matrix: "A" | "B" }) | undefined {
  const m = PEFT_NAME.exec(name);
  if (m === null || !(PROJECTIONS as readonly string[]).includes(m[2])) return undefined;
  const target = { layer: Number(m[1]), projection: m[2] as Projection, matrix: m[3] as "A" | "B" };
  return peftTensorName(target, target.matrix) === name ? target : undefined;
}
