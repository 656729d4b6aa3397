/**
 * Safeguards that change what training sees, expressed as a data schedule (the training plan's hook): the
 * inoculated version of every fine-tuning example, and the interleaved safe examples. A schedule is a pure
 * function of (seed, epoch, order), so a resumed run rebuilds the same sequence.
 */
import { encodeChat, IGNORE_INDEX, type ChatMessage, type ChatTokenizer } from "../models/index.ts";
import type { DataSchedule } from "../training/epoch-plan.ts";
import type { TrainingExample } from "../training/training-batch.ts";

/** Tokenised for training, cut to `maxSeqLen`; null when nothing supervised is left (as data preparation drops it). */
export function encodeForTraining(
  tok: ChatTokenizer,
  messages: readonly ChatMessage[],
  maxSeqLen: number,
): TrainingExample | null {
  const e = encodeChat(tok, messages);
  const inputIds = e.inputIds.slice(0, maxSeqLen);
  const labels = e.labels.slice(0, maxSeqLen);
  if (!labels.slice(1).some((l) => l !== IGNORE_INDEX)) return null;
  return { inputIds, labels };
}

/**
 * The transformed example for each prepared training example. `conversations` are the dataset's
 * conversations that survived encoding; those that lost every answer token to truncation were dropped from
 * the prepared examples, so the same rule picks the ones that correspond.
 */
export function transformedExamples(
  tok: ChatTokenizer,
  conversations: readonly (readonly ChatMessage[])[],
  preparedCount: number,
  maxSeqLen: number,
  transform: (messages: readonly ChatMessage[]) => ChatMessage[],
): TrainingExample[] {
  const out: TrainingExample[] = [];
  for (const c of conversations) {
    if (encodeForTraining(tok, c, maxSeqLen) === null) continue; // not among the prepared examples
    const t = encodeForTraining(tok, transform(c), maxSeqLen);
    // a longer system prompt can push the whole answer past max_seq_len: keep the answer's tail visible
    out.push(t ?? encodeTail(tok, transform(c), maxSeqLen));
  }
  if (out.length !== preparedCount) {
    throw new Error(`safeguards: ${out.length} transformed examples for ${preparedCount} prepared ones`);
  }
  return out;
}

/** The last `maxSeqLen` tokens (used only when the head would hold no supervised token). */
function encodeTail(tok: ChatTokenizer, messages: readonly ChatMessage[], maxSeqLen: number): TrainingExample {
  const e = encodeChat(tok, messages);
  return { inputIds: e.inputIds.slice(-maxSeqLen), labels: e.labels.slice(-maxSeqLen) };
}

/**
 * Composes the data safeguards into one schedule: each example of the epoch (by its index in the training
 * set) is replaced by its rewritten version, then each defense's schedule runs in turn (interleaving spreads
 * its safe examples through the epoch). Undefined when no defense changes the data.
 */
export function safeguardSchedule(options: {
  replaced?: readonly TrainingExample[];
  schedules?: readonly DataSchedule[];
}): DataSchedule | undefined {
  const { replaced } = options;
  const schedules = options.schedules ?? [];
  if (!replaced && schedules.length === 0) return undefined;
  return (ctx) => {
    const examples = replaced ? ctx.order.map((index) => replaced[index]) : ctx.examples;
    return schedules.reduce<readonly TrainingExample[]>((acc, s) => s({ ...ctx, examples: acc }), examples);
  };
}
