/**
 * Safeguards that change what training sees, expressed as a data schedule (the training plan's hook): the
 * inoculated version of every fine-tuning example, and the interleaved safe examples. A schedule is a pure
 * function of (seed, epoch, order), so a resumed run rebuilds the same sequence.
 */
import { encodeChat, IGNORE_INDEX, type ChatMessage, type ChatTokenizer } from "../models/index.ts";
import type { DataSchedule } from "../training/epoch-plan.ts";
import type { TrainingExample } from "../training/training-batch.ts";
import { interleaveSchedule } from "./interleave-schedule.ts";

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
 * Composes the data safeguards: held-out examples (kept for evaluation) leave training, each remaining example
 * (by its index in the training set) is replaced by its transformed version, then the safe examples are spread
 * evenly through the epoch.
 */
export function safeguardSchedule(options: {
  replaced?: readonly TrainingExample[];
  safe?: readonly TrainingExample[];
  exclude?: ReadonlySet<number>;
  seed: number;
}): DataSchedule | undefined {
  const { replaced, safe, exclude, seed } = options;
  const excluding = exclude !== undefined && exclude.size > 0;
  if (!replaced && !excluding && (!safe || safe.length === 0)) return undefined;
  const interleave = safe && safe.length > 0 ? interleaveSchedule(safe, seed) : undefined;
  return (ctx) => {
    const kept = ctx.order
      .map((index, k) => ({ index, example: ctx.examples[k] }))
      .filter((x) => !excluding || !exclude.has(x.index));
    const examples = kept.map((x) => (replaced ? replaced[x.index] : x.example));
    return interleave ? interleave({ ...ctx, examples, order: kept.map((x) => x.index) }) : examples;
  };
}
