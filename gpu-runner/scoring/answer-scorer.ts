/**
 * Per-example mean negative log-likelihood of an answer given its prompt, L(d) = −(1/T)·log P(a | q) over the
 * answer tokens only: the perplexity-gap hot path. Examples are sorted by length and scored in large padded
 * batches; the same base model serves "adapter off" and any number of adapters (one ORT session per adapter
 * shape, with the LoRA matrices fed as inputs).
 */
import {
  i64,
  loadGraph,
  needsExternalData,
  type EngineSession,
  type HostTensor,
  type LoadedGraph,
  type SessionConfig,
} from "../engine/index.ts";
import { IGNORE_INDEX, type DecoderCheckpoint, type LoraAdapter, type LoraSettings } from "../models/index.ts";
import { buildScoringGraph } from "./scoring-graph.ts";
import { deviceBufferLayout, lengthBatches, type BufferLayout } from "../models/decoder/index.ts";

/**
 * A prompt and the answer tokens to score (e.g. from `encodePromptAndAnswer`: content plus end-of-turn), or a
 * whole training example whose labels (not shifted, −100 = not scored) choose the scored tokens.
 */
export type ScoringItem =
  | { readonly promptIds: readonly number[]; readonly answerIds: readonly number[] }
  | { readonly inputIds: readonly number[]; readonly labels: readonly number[] };

export interface ScoreOptions {
  /** LoRA adapter to apply; omitted = the base model. */
  readonly adapter?: LoraAdapter;
  /** Most tokens (rows × padded length) per run. Default 8192, and never above the layout's `maxTokens`. */
  readonly maxBatchTokens?: number;
  /** Longer examples keep their last `maxSeqLen` tokens (the answer stays whole when it fits). */
  readonly maxSeqLen?: number;
}

export interface ScoreResult {
  /** Mean NLL per item, in the caller's order (NaN when an item has no scored token left). */
  readonly meanNll: Float64Array;
  /** Scored tokens per item (meanNll × count = −log P of the whole answer). */
  readonly scoredTokens: Int32Array;
  readonly tokens: number;
  readonly tokensPerSecond: number;
}

/** Tokens (rows × padded length) per scoring run unless a call asks otherwise. */
export const DEFAULT_SCORING_BATCH_TOKENS = 8192;

const settingsKey = (s: LoraSettings | undefined) =>
  s === undefined ? "base" : JSON.stringify([s.r, s.alpha, s.useRslora, s.targetModules, s.layersToTransform]);

export interface AnswerScorerOptions {
  /** Keep weights as external data (default: when they exceed protobuf's limit). */
  readonly externalWeights?: boolean;
  /**
   * Vocabulary chunks and buffer limit of the scoring graph (decoder-options). Default: the session's device
   * (`deviceBufferLayout`: the WebGPU adapter's binding limit for `DEFAULT_SCORING_BATCH_TOKENS`, none on the CPU
   * EP). Batches are cut to the limit's `maxTokens` (an example longer than that still runs alone).
   */
  readonly layout?: BufferLayout;
}

export class AnswerScorer {
  private readonly sessions = new Map<
    string,
    Promise<{ loaded: LoadedGraph; session: EngineSession; loraInputs: readonly string[] }>
  >();
  private layoutOnce?: Promise<BufferLayout>;

  constructor(
    private readonly checkpoint: DecoderCheckpoint,
    private readonly sessionConfig: SessionConfig = {},
    private readonly options: AnswerScorerOptions = {},
  ) {}

  private layout(): Promise<BufferLayout> {
    return (this.layoutOnce ??= this.options.layout
      ? Promise.resolve(this.options.layout)
      : deviceBufferLayout(this.sessionConfig.ep, DEFAULT_SCORING_BATCH_TOKENS));
  }

  private sessionFor(settings: LoraSettings | undefined) {
    const key = settingsKey(settings);
    let s = this.sessions.get(key);
    if (s === undefined) {
      const external = needsExternalData(this.checkpoint.weights.values(), this.options.externalWeights);
      s = this.layout().then(async (layout) => {
        const graph = buildScoringGraph(this.checkpoint.config, this.checkpoint.weights, settings, external, layout);
        const loaded = await loadGraph(graph.graph, this.sessionConfig);
        return { loaded, session: loaded.session, loraInputs: graph.loraInputs };
      });
      this.sessions.set(key, s);
    }
    return s;
  }

  async score(items: readonly ScoringItem[], options: ScoreOptions = {}): Promise<ScoreResult> {
    const t0 = performance.now();
    const { session, loraInputs } = await this.sessionFor(options.adapter?.settings);
    const lora: Record<string, HostTensor> = {};
    for (const name of loraInputs) {
      const t = options.adapter!.tensors.get(name);
      if (t === undefined) throw new Error(`the adapter has no tensor '${name}'`);
      lora[name] = { dtype: "float32", dims: t.shape, data: t.data };
    }
    // the graph's buffers fit batches of up to the layout's tokens
    const maxTokens = Math.min(
      options.maxBatchTokens ?? DEFAULT_SCORING_BATCH_TOKENS,
      (await this.layout()).bufferLimit?.maxTokens ?? Infinity,
    );
    const rows = items.map((it) => {
      let ids = "inputIds" in it ? [...it.inputIds] : [...it.promptIds, ...it.answerIds];
      let labels = "inputIds" in it ? [...it.labels] : [...it.promptIds.map(() => IGNORE_INDEX), ...it.answerIds];
      if (ids.length !== labels.length)
        throw new RangeError(`a scoring item has ${ids.length} tokens but ${labels.length} labels`);
      if (options.maxSeqLen !== undefined && ids.length > options.maxSeqLen) {
        ids = ids.slice(ids.length - options.maxSeqLen);
        labels = labels.slice(labels.length - options.maxSeqLen);
      }
      return { ids, labels };
    });
    const meanNll = new Float64Array(items.length);
    const scoredTokens = new Int32Array(items.length);
    let tokens = 0;
    for (const batch of lengthBatches(
      rows.map((r) => r.ids.length),
      maxTokens,
    )) {
      const width = rows[batch[batch.length - 1]].ids.length;
      const ids = new BigInt64Array(batch.length * width);
      const mask = new BigInt64Array(batch.length * width);
      const positions: number[] = [];
      const targets: number[] = [];
      const owner: number[] = [];
      batch.forEach((i, r) => {
        const row = rows[i];
        for (let t = 0; t < row.ids.length; t++) {
          ids[r * width + t] = BigInt(row.ids[t]);
          mask[r * width + t] = 1n;
          // the logits at t − 1 predict token t
          if (t > 0 && row.labels[t] !== IGNORE_INDEX) {
            positions.push(r * width + t - 1);
            targets.push(row.labels[t]);
            owner.push(i);
          }
        }
        tokens += row.ids.length;
      });
      batch.forEach((i) => (meanNll[i] = Number.NaN));
      if (positions.length > 0) {
        const dims = [batch.length, width];
        const out = await session.run(
          {
            input_ids: i64(dims, ids),
            attention_mask: i64(dims, mask),
            score_positions: i64([positions.length], positions),
            score_targets: i64([targets.length], targets),
            ...lora,
          },
          ["nll"],
        );
        const nll = out.nll.data as Float32Array;
        const sums = new Map<number, { sum: number; n: number }>();
        owner.forEach((i, k) => {
          const acc = sums.get(i) ?? { sum: 0, n: 0 };
          acc.sum += nll[k];
          acc.n++;
          sums.set(i, acc);
        });
        for (const [i, { sum, n }] of sums) {
          meanNll[i] = sum / n;
          scoredTokens[i] = n;
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    return { meanNll, scoredTokens, tokens, tokensPerSecond: tokens / Math.max(seconds, 1e-9) };
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).loaded.release();
    this.sessions.clear();
  }
}
