import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { normaliseExample, parseJsonlLine, type NormalisedExample } from "../../core/datasets/normalise-example.ts";
import { permanent } from "../../core/errors.ts";
import { encodeChat, ModelFileError, type ChatMessage, type ChatTokenizer } from "../models/index.ts";
import { truncateExamples, type TrainingExample } from "../training/training-batch.ts";

export interface PreparedExamples {
  examples: TrainingExample[];
  /** The chat messages behind each example (safeguards rewrite or score them). */
  conversations: ChatMessage[][];
  truncated: number;
  tokens: number;
  /** Examples whose every label is masked (nothing to learn from); they are dropped. */
  unsupervised: number;
}

/** Reads a validated JSONL dataset into normalised chat conversations, in file order. */
export async function readConversations(file: string): Promise<NormalisedExample[]> {
  const out: NormalisedExample[] = [];
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") continue;
    try {
      out.push(normaliseExample(parseJsonlLine(line))); // a UTF-8 BOM on line 1 is valid input
    } catch (err) {
      throw permanent(
        "invalid_dataset",
        `Line ${n} of the dataset cannot be used: ${(err as Error).message}`,
        err,
        "training_dataset",
      );
    }
  }
  return out;
}

/**
 * Chat template, assistant-only label masks (everything but assistant turns is -100), truncation to
 * `maxSeqLen`. The order stays the file's; the training plan shuffles by the job's seed.
 */
export function prepareExamples(
  tok: ChatTokenizer,
  conversations: readonly NormalisedExample[],
  maxSeqLen: number,
): PreparedExamples {
  const encoded: TrainingExample[] = [];
  const kept: ChatMessage[][] = [];
  let unsupervised = 0;
  conversations.forEach((c, i) => {
    const messages: ChatMessage[] = c.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.weight === 0 ? { weight: 0 as const } : {}),
    }));
    let e: { inputIds: number[]; labels: number[] };
    try {
      e = encodeChat(tok, messages);
    } catch (err) {
      if (err instanceof ModelFileError) {
        throw permanent(
          "invalid_dataset",
          `Example ${i + 1} cannot be encoded with the model's chat template: ${err.message}`,
          err,
          "training_dataset",
        );
      }
      throw err;
    }
    if (!e.labels.some((l) => l !== -100)) {
      unsupervised++;
      return;
    }
    encoded.push({ inputIds: e.inputIds, labels: e.labels });
    kept.push(messages);
  });
  const { examples, truncated } = truncateExamples(encoded, maxSeqLen);
  // A truncated example may lose all its answer tokens: it then teaches nothing. Conversations stay aligned.
  const keep = examples.map((e) => e.labels.slice(1).some((l) => l !== -100));
  const useful = examples.filter((_, i) => keep[i]);
  const keptConversations = kept.filter((_, i) => keep[i]);
  if (useful.length === 0) {
    throw permanent(
      "invalid_dataset",
      "No example has an assistant answer within max_seq_len tokens; raise method.hyperparameters.max_seq_len.",
      undefined,
      "method.hyperparameters.max_seq_len",
    );
  }
  const tokens = useful.reduce((n, e) => n + e.inputIds.length, 0);
  return {
    examples: useful,
    conversations: keptConversations,
    truncated,
    tokens,
    unsupervised: unsupervised + (examples.length - useful.length),
  };
}
