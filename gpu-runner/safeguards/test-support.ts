/** The tiny random model and tokenizer for safeguard tests (written once per machine, shared with other tests). */
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ensureTinyRandomModel,
  loadChatTokenizer,
  loadDecoderCheckpoint,
  type ChatTokenizer,
  type DecoderCheckpoint,
} from "../models/index.ts";

export interface TinyModel {
  readonly dir: string;
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: ChatTokenizer;
}

export async function loadTinyModel(): Promise<TinyModel> {
  const dir = await ensureTinyRandomModel(join(tmpdir(), "guardtune-tiny-random-1234"));
  const [checkpoint, tokenizer] = await Promise.all([loadDecoderCheckpoint(dir), loadChatTokenizer(dir)]);
  return { dir, checkpoint, tokenizer };
}
