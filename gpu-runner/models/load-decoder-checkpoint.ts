/**
 * Loads a Hugging Face decoder directory (config.json + safetensors) and checks the tensors against the
 * architecture's weight catalogue before anything else sees them.
 */
import type { DecoderConfig } from "./config/decoder-config.ts";
import { loadDecoderConfig } from "./config/decoder-config.ts";
import { expectedWeights, isIgnorableWeight } from "./config/weight-catalogue.ts";
import { readCheckpointTensors } from "./io/checkpoint-files.ts";
import { sameShape, type F32Tensor } from "./io/f32-tensor.ts";
import type { SafetensorsDtype } from "./io/safetensors-header.ts";
import { WeightSetMismatchError, type ShapeMismatch } from "./model-file-error.ts";

export interface DecoderCheckpoint {
  config: DecoderConfig;
  /** Exactly the catalogue's names, float32. With tied embeddings there is no lm_head.weight. */
  weights: Map<string, F32Tensor>;
  /** The dtype each weight had on disk (F32, F16 or BF16). */
  dtypes: Map<string, SafetensorsDtype>;
}

export async function loadDecoderCheckpoint(dir: string): Promise<DecoderCheckpoint> {
  const config = await loadDecoderConfig(dir);
  const { tensors, dtypes } = await readCheckpointTensors(dir);
  const weights = checkWeightSet(config, tensors, dir);
  return { config, weights, dtypes };
}

/**
 * Returns the catalogue's tensors, dropping ignorable extras; throws a `WeightSetMismatchError` listing
 * every missing key, unexpected key and wrong shape at once.
 */
export function checkWeightSet(
  config: DecoderConfig,
  tensors: ReadonlyMap<string, F32Tensor>,
  path?: string,
): Map<string, F32Tensor> {
  const expected = expectedWeights(config);
  const missing = [...expected.keys()].filter((name) => !tensors.has(name));
  const unexpected = [...tensors.keys()]
    .filter((name) => !expected.has(name) && !isIgnorableWeight(config, name))
    .sort();
  const wrongShape: ShapeMismatch[] = [];
  const weights = new Map<string, F32Tensor>();
  for (const [name, shape] of expected) {
    const tensor = tensors.get(name);
    if (tensor === undefined) continue;
    if (!sameShape(tensor.shape, shape)) wrongShape.push({ name, expected: shape, actual: tensor.shape });
    weights.set(name, tensor);
  }
  if (missing.length > 0 || unexpected.length > 0 || wrongShape.length > 0) {
    throw new WeightSetMismatchError(missing, unexpected, wrongShape, path);
  }
  return weights;
}
