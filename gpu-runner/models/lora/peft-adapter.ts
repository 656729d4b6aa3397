/**
 * A LoRA adapter in PEFT's on-disk format: adapter_config.json + adapter_model.safetensors holding
 * `...lora_A.weight` [r, in] and `...lora_B.weight` [out, r] per targeted projection.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Rng } from "../../engine/index.ts";
import type { DecoderConfig } from "../config/decoder-config.ts";
import { projectionShape } from "../config/weight-catalogue.ts";
import { f32Tensor, sameShape, type F32Tensor } from "../io/f32-tensor.ts";
import { readSafetensors } from "../io/safetensors-read.ts";
import { writeSafetensors } from "../io/safetensors-write.ts";
import { ModelFileError, WeightSetMismatchError, type ShapeMismatch } from "../model-file-error.ts";
import { parsePeftAdapterConfig, peftAdapterConfig, sortKeys, type PeftAdapterConfig } from "./peft-adapter-config.ts";
import {
  loraTargets,
  parsePeftTensorName,
  peftTensorName,
  type LoraSettings,
  type LoraTarget,
} from "./lora-settings.ts";

export const ADAPTER_CONFIG_FILE = "adapter_config.json";
export const ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";

export interface LoraAdapter {
  settings: LoraSettings;
  /** The full adapter_config.json; fields we do not interpret are kept for the round trip. */
  config: PeftAdapterConfig;
  /** PEFT tensor names -> float32 tensors. */
  tensors: Map<string, F32Tensor>;
}

/** Reads an adapter; with a decoder config, also checks it targets exactly what its config says. */
export async function loadPeftAdapter(dir: string, decoder?: DecoderConfig): Promise<LoraAdapter> {
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configPath, "utf8"));
  } catch (cause) {
    throw new ModelFileError("adapter_invalid", "cannot read adapter_config.json as JSON", configPath, { cause });
  }
  const settings = parsePeftAdapterConfig(raw, configPath);
  const { tensors } = await readSafetensors(join(dir, ADAPTER_WEIGHTS_FILE));
  const adapter: LoraAdapter = { settings, config: raw as PeftAdapterConfig, tensors };
  checkAdapterTensors(adapter, decoder, dir);
  return adapter;
}

export async function savePeftAdapter(dir: string, adapter: LoraAdapter): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), adapter.tensors, { metadata: { format: "pt" } });
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  await writeFile(`${configPath}.partial`, JSON.stringify(sortKeys(adapter.config), null, 2));
  await rename(`${configPath}.partial`, configPath);
}

/**
 * Every tensor must be a lora_A/lora_B pair of one projection with rank r; with a decoder config the
 * pairs must be exactly the targeted projections with [r, in] / [out, r] shapes.
 */
export function checkAdapterTensors(adapter: LoraAdapter, decoder?: DecoderConfig, path?: string): void {
  const { r } = adapter.settings;
  const unexpected: string[] = [];
  const wrongShape: ShapeMismatch[] = [];
  const found = new Set<string>();
  for (const [name, tensor] of adapter.tensors) {
    const parsed = parsePeftTensorName(name);
    if (parsed === undefined) {
      unexpected.push(name);
      continue;
    }
    found.add(name);
    const shape = decoder === undefined ? undefined : projectionShape(decoder, parsed.projection);
    const expected = parsed.matrix === "A" ? [r, shape?.in ?? tensor.shape[1]] : [shape?.out ?? tensor.shape[0], r];
    if (!sameShape(tensor.shape, expected)) wrongShape.push({ name, expected, actual: tensor.shape });
  }
  const pairs =
    decoder === undefined ? [...found].map((n) => parsePeftTensorName(n)!) : loraTargets(adapter.settings, decoder);
  const wanted = new Set(pairs.flatMap((t) => [peftTensorName(t, "A"), peftTensorName(t, "B")]));
  const missing = [...wanted].filter((n) => !found.has(n)).sort();
  if (decoder !== undefined) unexpected.push(...[...found].filter((n) => !wanted.has(n)));
  if (missing.length > 0 || unexpected.length > 0 || wrongShape.length > 0) {
    throw new WeightSetMismatchError(missing, unexpected.sort(), wrongShape, path);
  }
}

/** The (layer, projection) pairs an adapter holds, in layer then projection order. */
export function adapterTargets(adapter: LoraAdapter): LoraTarget[] {
  const seen = new Map<string, LoraTarget>();
  for (const name of adapter.tensors.keys()) {
    const t = parsePeftTensorName(name);
    if (t !== undefined) seen.set(peftTensorName(t, "A"), { layer: t.layer, projection: t.projection });
  }
  return [...seen.values()].sort((a, b) => a.layer - b.layer || projectionOrder(a) - projectionOrder(b));
}

const ORDER = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
const projectionOrder = (t: LoraTarget) => ORDER.indexOf(t.projection);

/**
 * A fresh adapter initialised like peft's default: A ~ kaiming_uniform(a=√5) = U(-1/√in, 1/√in),
 * B = 0, so the adapted model starts equal to the base model.
 */
export function createLoraAdapter(
  decoder: DecoderConfig,
  settings: LoraSettings,
  random: Rng,
  baseModelNameOrPath: string | null = null,
): LoraAdapter {
  const targets = loraTargets(settings, decoder);
  if (targets.length === 0)
    throw new ModelFileError("adapter_invalid", "target_modules selects no projection of this model");
  const tensors = new Map<string, F32Tensor>();
  for (const target of targets) {
    const { out, in: inFeatures } = projectionShape(decoder, target.projection);
    const bound = 1 / Math.sqrt(inFeatures);
    const a = new Float32Array(settings.r * inFeatures); // [r, in]
    for (let i = 0; i < a.length; i++) a[i] = random.uniform(-bound, bound);
    tensors.set(peftTensorName(target, "A"), f32Tensor([settings.r, inFeatures], a));
    tensors.set(peftTensorName(target, "B"), f32Tensor([out, settings.r], new Float32Array(out * settings.r))); // [out, r]
  }
  return { settings, config: peftAdapterConfig(settings, baseModelNameOrPath), tensors };
}
