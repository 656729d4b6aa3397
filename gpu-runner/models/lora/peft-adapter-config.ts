/**
 * adapter_config.json as peft 0.21 writes it for a LoRA adapter on a causal LM: the same field names,
 * sorted, with guardtune's values. Parsing accepts what peft can save for a plain LoRA and refuses the
 * variants whose math we do not implement (DoRA, biases, per-module ranks, extra trained modules).
 */
import { ModelFileError } from "../model-file-error.ts";
import type { LoraSettings } from "./lora-settings.ts";

export type PeftAdapterConfig = Record<string, unknown>;

export const PEFT_VERSION = "0.21.0";

/** The fixture's field set with neutral values; LoRA-specific values are filled by `peftAdapterConfig`. */
const PEFT_LORA_DEFAULTS: PeftAdapterConfig = {
  alora_invocation_tokens: null,
  alpha_pattern: {},
  arrow_config: null,
  auto_mapping: null,
  base_model_name_or_path: null,
  bias: "none",
  corda_config: null,
  ensure_weight_tying: false,
  eva_config: null,
  exclude_modules: null,
  fan_in_fan_out: false,
  inference_mode: true,
  init_lora_weights: true,
  kasa_config: null,
  layer_replication: null,
  layers_pattern: null,
  layers_to_transform: null,
  loftq_config: {},
  lora_alpha: 8,
  lora_bias: false,
  lora_dropout: 0.0,
  lora_ga_config: null,
  megatron_config: null,
  megatron_core: "megatron.core",
  modules_to_save: null,
  monteclora_config: null,
  peft_type: "LORA",
  peft_version: PEFT_VERSION,
  qalora_group_size: 16,
  r: 8,
  rank_pattern: {},
  revision: null,
  target_modules: [],
  target_parameters: null,
  task_type: "CAUSAL_LM",
  trainable_token_indices: null,
  use_bdlora: null,
  use_dora: false,
  use_qalora: false,
  use_rslora: false,
  velora_config: null,
};

export function peftAdapterConfig(
  settings: LoraSettings,
  baseModelNameOrPath: string | null = null,
): PeftAdapterConfig {
  const values: PeftAdapterConfig = {
    ...PEFT_LORA_DEFAULTS,
    base_model_name_or_path: baseModelNameOrPath,
    lora_alpha: settings.alpha,
    lora_dropout: settings.dropout,
    r: settings.r,
    target_modules: typeof settings.targetModules === "string" ? settings.targetModules : [...settings.targetModules],
    use_rslora: settings.useRslora,
    layers_to_transform: settings.layersToTransform === null ? null : [...settings.layersToTransform],
  };
  return sortKeys(values);
}

export function sortKeys(o: PeftAdapterConfig): PeftAdapterConfig {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const isEmpty = (v: unknown) =>
  v == null ||
  v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && Object.keys(v as object).length === 0);

export function parsePeftAdapterConfig(raw: unknown, path?: string): LoraSettings {
  const fail = (why: string) => new ModelFileError("adapter_invalid", why, path);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw fail("adapter_config.json is not a JSON object");
  const c = raw as PeftAdapterConfig;
  if (c.peft_type !== "LORA") throw fail(`peft_type is ${JSON.stringify(c.peft_type)}, expected "LORA"`);
  if (c.task_type != null && c.task_type !== "CAUSAL_LM")
    throw fail(`task_type is ${JSON.stringify(c.task_type)}, expected "CAUSAL_LM"`);
  const r = c.r;
  if (typeof r !== "number" || !Number.isSafeInteger(r) || r <= 0)
    throw fail(`r must be a positive integer, got ${JSON.stringify(r)}`);
  const alpha = c.lora_alpha ?? 8;
  if (typeof alpha !== "number" || !Number.isFinite(alpha) || alpha <= 0)
    throw fail(`lora_alpha must be a positive number`);
  const dropout = c.lora_dropout ?? 0;
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) throw fail(`lora_dropout must be in [0, 1)`);
  const useRslora = c.use_rslora ?? false;
  if (typeof useRslora !== "boolean") throw fail("use_rslora must be a boolean");
  const target = c.target_modules;
  const targetOk =
    typeof target === "string" ||
    (Array.isArray(target) && target.length > 0 && target.every((t) => typeof t === "string"));
  if (!targetOk) throw fail("target_modules must be a non-empty list of module names or a regular expression");
  if (c.bias != null && c.bias !== "none") throw fail(`bias '${String(c.bias)}' is not supported (only "none")`);
  for (const key of [
    "use_dora",
    "lora_bias",
    "fan_in_fan_out",
    "use_qalora",
    "modules_to_save",
    "rank_pattern",
    "alpha_pattern",
    "trainable_token_indices",
    "target_parameters",
    "layer_replication",
    "exclude_modules",
  ]) {
    if (!isEmpty(c[key])) throw fail(`${key} = ${JSON.stringify(c[key])} is not supported`);
  }
  return {
    r,
    alpha,
    useRslora,
    dropout,
    targetModules: target as string | string[],
    layersToTransform: parseLayers(c.layers_to_transform, fail),
  };
}

function parseLayers(v: unknown, fail: (why: string) => Error): number[] | null {
  if (v == null) return null;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => Number.isSafeInteger(x) && (x as number) >= 0))
    throw fail("layers_to_transform must be layer indices");
  return list as number[];
}
