/** The tiny random model and tokenizer for tests of training, generation and scoring (written once per machine). */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../engine/index.ts";
import {
  createLoraAdapter,
  ensureTinyRandomModel,
  loadChatTokenizer,
  loadDecoderCheckpoint,
  type ChatTokenizer,
  type DecoderCheckpoint,
  type LoraAdapter,
  type LoraSettings,
} from "../models/index.ts";

export interface TestModel {
  readonly dir: string;
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: ChatTokenizer;
}

/** The built-in tiny random model, generated once into the temp directory, for tests. */
export async function loadTestModel(): Promise<TestModel> {
  const dir = await ensureTinyRandomModel(join(tmpdir(), "guardtune-tiny-random-1234"));
  const [checkpoint, tokenizer] = await Promise.all([loadDecoderCheckpoint(dir), loadChatTokenizer(dir)]);
  return { dir, checkpoint, tokenizer };
}

export const TEST_LORA: LoraSettings = {
  r: 4,
  alpha: 8,
  useRslora: false,
  dropout: 0,
  targetModules: "all-linear",
  layersToTransform: null,
};

/** An adapter with B ≠ 0 too, so that it changes the model's outputs. */
export function randomAdapter(
  checkpoint: DecoderCheckpoint,
  seed: number,
  settings: LoraSettings = TEST_LORA,
): LoraAdapter {
  const adapter = createLoraAdapter(checkpoint.config, settings, new Rng(seed));
  const random = new Rng(seed + 1);
  for (const [name, t] of adapter.tensors) {
    if (name.includes("lora_B")) for (let i = 0; i < t.data.length; i++) t.data[i] = random.uniform(-0.2, 0.2);
  }
  return adapter;
}
