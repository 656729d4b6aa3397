/**
 * In-domain learning: the loss on held-out conversations of the fine-tuning task, as mean NLL per token of the
 * final assistant answer (token-weighted over examples). Lower after fine-tuning = the task was learnt. The
 * held-out set is the job's validation dataset, or a seeded split of the training data made before training
 * (the runner's data preparation).
 */
import type { ChatMessage } from "../models/index.ts";
import type { ModelUnderTest } from "./model-under-test.ts";

export interface InDomainLoss {
  readonly examples: number;
  readonly tokens: number;
  /** Mean NLL per answer token. */
  readonly loss: number;
}

/** Mean negative log-likelihood per assistant token of held-out conversations under `model`. */
export async function heldOutLoss(
  model: ModelUnderTest,
  conversations: readonly (readonly ChatMessage[])[],
): Promise<InDomainLoss> {
  const items = conversations
    .filter((c) => c.length > 0 && c[c.length - 1].role === "assistant")
    .map((c) => ({ prompt: c.slice(0, -1), answer: c[c.length - 1].content }));
  if (items.length === 0) throw new RangeError("no held-out conversation ends with an assistant answer");
  const { meanNll, answerTokens } = await model.answerNll(items);
  let sum = 0;
  let tokens = 0;
  for (let i = 0; i < items.length; i++) {
    if (!Number.isFinite(meanNll[i])) continue;
    sum += meanNll[i] * answerTokens[i];
    tokens += answerTokens[i];
  }
  return { examples: items.length, tokens, loss: tokens === 0 ? Number.NaN : sum / tokens };
}
