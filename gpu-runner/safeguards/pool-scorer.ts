/**
 * Binds the engine's batched answer scorer to pool items: the aligned model is the base with no adapter, a
 * misaligned reference is the same base with the reference's LoRA adapter fed in (no extra model copy).
 * With a cache, each model's NLLs are kept per item (by base weights, adapter and the item's token ids): every job
 * on the model that scores the same pool with the same references reuses them, and jobs of one runner that score
 * with the same model at the same time take turns, so the second reads what the first scored.
 */
import { createHash } from "node:crypto";
import { encodePromptAndAnswer, type ChatTokenizer, type LoraAdapter, type PromptAndAnswer } from "../models/index.ts";
import type { AnswerScorer } from "../scoring/answer-scorer.ts";
import { cacheFile, cacheKey, readCached, tensorsDigest, writeCached } from "../scoring/result-cache.ts";
import type { NllScorer } from "./interleave-selection.ts";
import { splitPoolItem, type PoolItem } from "./pool-item.ts";

// The aligned model and every reference score the same candidates: tokenise each (tokenizer, item) once.
const encodings = new WeakMap<ChatTokenizer, WeakMap<PoolItem, PromptAndAnswer>>();

function encodeOnce(tokenizer: ChatTokenizer, item: PoolItem): PromptAndAnswer {
  let byItem = encodings.get(tokenizer);
  if (byItem === undefined) encodings.set(tokenizer, (byItem = new WeakMap()));
  let e = byItem.get(item);
  if (e === undefined) {
    const { prompt, answer } = splitPoolItem(item);
    byItem.set(item, (e = encodePromptAndAnswer(tokenizer, prompt, answer)));
  }
  return e;
}

/** Cache entries being read, scored and written, by file: one at a time per entry within this process. */
const entriesInUse = new Map<string, Promise<unknown>>();

async function oneAtATime<T>(file: string, work: () => Promise<T>): Promise<T> {
  const turn = (entriesInUse.get(file) ?? Promise.resolve()).catch(() => undefined).then(work);
  entriesInUse.set(file, turn);
  try {
    return await turn;
  } finally {
    if (entriesInUse.get(file) === turn) entriesInUse.delete(file);
  }
}

export interface PoolScorerOptions {
  readonly adapter?: LoraAdapter;
  readonly maxSeqLen?: number;
  readonly maxBatchTokens?: number;
  /** Called after each scoring call with its throughput (not for results read from the cache). */
  readonly onThroughput?: (tokensPerSecond: number, tokens: number) => void;
  /** The runner's cache directory and the digest of the base weights (`tensorsDigest`). */
  readonly cache?: { readonly dir: string; readonly baseDigest: string };
}

/** One cache entry per scoring model (base weights, adapter, sequence cap): item key → mean NLL (null = NaN). */
function modelKey(options: PoolScorerOptions, baseDigest: string): string {
  const a = options.adapter;
  return cacheKey([1, baseDigest, a ? [tensorsDigest(a.tensors), a.settings] : null, options.maxSeqLen ?? null]);
}

const itemKey = (e: PromptAndAnswer) =>
  createHash("sha1")
    .update(`${e.promptIds.join(",")}|${e.answerIds.join(",")}`)
    .digest("base64url");

export function poolNllScorer(
  scorer: AnswerScorer,
  tokenizer: ChatTokenizer,
  options: PoolScorerOptions = {},
): NllScorer {
  return {
    async answerNll(items) {
      const encoded = items.map((item) => encodeOnce(tokenizer, item));
      const score = async (batch: readonly PromptAndAnswer[]) => {
        const r = await scorer.score(batch, {
          adapter: options.adapter,
          ...(options.maxSeqLen !== undefined ? { maxSeqLen: options.maxSeqLen } : {}),
          ...(options.maxBatchTokens !== undefined ? { maxBatchTokens: options.maxBatchTokens } : {}),
        });
        options.onThroughput?.(r.tokensPerSecond, r.tokens);
        return r.meanNll;
      };
      if (options.cache === undefined) return score(encoded);
      // Only the items this model has not scored yet are scored (a filtered or capped list reuses the full one's).
      const file = cacheFile(options.cache.dir, "pool-scores", modelKey(options, options.cache.baseDigest));
      const keys = encoded.map(itemKey);
      return oneAtATime(file, async () => {
        const known = (await readCached<Record<string, number | null>>(file)) ?? {};
        const missing = keys.flatMap((k, i) => (k in known ? [] : [i]));
        if (missing.length > 0) {
          const fresh = await score(missing.map((i) => encoded[i]));
          // NaN (an item without answer tokens) does not survive JSON: stored as null
          missing.forEach((i, j) => (known[keys[i]] = Number.isNaN(fresh[j]) ? null : fresh[j]));
          await writeCached(file, known);
        }
        return Float64Array.from(keys, (k) => known[k] ?? Number.NaN);
      });
    },
  };
}
