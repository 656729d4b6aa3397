/**
 * Batched generation with a KV cache: prompts are left-padded (as transformers' generate), prefilled in one
 * run, then extended one token per run; each row stops at an end-of-sequence token or after
 * `maxNewTokens`. Greedy or seeded temperature/top-p sampling (see sampling.ts).
 */
import {
  Rng,
  i64,
  loadGraph,
  needsExternalData,
  type HostTensor,
  type LoadedGraph,
  type SessionConfig,
} from "../engine/index.ts";
import { mergeLora, type DecoderConfig, type F32Tensor, type LoraAdapter } from "../models/index.ts";
import { deviceBufferLayout, lengthBatches, type BufferLayout, type RopeDtype } from "../models/decoder/index.ts";
import { buildDecodeGraph, type DecodeGraph } from "./decode-graph.ts";
import { sampleToken, type SamplingSettings } from "./sampling.ts";

export interface GenerateOptions extends SamplingSettings {
  readonly maxNewTokens: number;
  /** Tokens that end a row (the model's end-of-turn ids). */
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  /** Seed of the sampling generator (ignored when greedy). */
  readonly seed?: number;
  /** Prompts per run; longer lists are generated in chunks of similar length. Default 16. */
  readonly maxBatchSize?: number;
}

export interface Generation {
  /** New tokens, without the end-of-sequence token. */
  readonly ids: number[];
  readonly finishReason: "eos" | "length";
}

export interface TextGeneratorOptions {
  /** Merged into the base weights for this generator. */
  readonly adapter?: LoraAdapter;
  readonly session?: SessionConfig;
  /** Keep weights as external data (default: when they exceed protobuf's limit). */
  readonly externalWeights?: boolean;
  /** The checkpoint's storage precision for RoPE frequencies (`ropeDtypeOf(checkpoint)`); default float32. */
  readonly ropeDtype?: RopeDtype;
  /**
   * Vocabulary chunks and buffer limit (decoder-options; `maxTokens` = the largest prefill B·S). Default: the
   * session's device (`deviceBufferLayout`: the WebGPU adapter's binding limit for `DEFAULT_PREFILL_TOKENS`, none
   * on the CPU EP). Prompts are batched so that a prefill stays within `maxTokens` (a longer prompt runs alone).
   */
  readonly layout?: BufferLayout;
}

/** Prompt tokens (rows × padded length) one prefill may take by default: 16 prompts of 512 tokens. */
export const DEFAULT_PREFILL_TOKENS = 8192;

export class TextGenerator {
  private constructor(
    private readonly loaded: LoadedGraph,
    private readonly graph: DecodeGraph,
    private readonly maxPrefillTokens: number,
  ) {}

  static async create(
    config: DecoderConfig,
    weights: ReadonlyMap<string, F32Tensor>,
    options: TextGeneratorOptions = {},
  ): Promise<TextGenerator> {
    const effective = options.adapter ? mergeLora(weights, options.adapter) : weights;
    const layout = options.layout ?? (await deviceBufferLayout(options.session?.ep, DEFAULT_PREFILL_TOKENS));
    const graph = buildDecodeGraph(
      config,
      effective,
      needsExternalData(effective.values(), options.externalWeights),
      options.ropeDtype,
      layout,
    );
    const maxPrefillTokens = layout.bufferLimit?.maxTokens ?? Infinity;
    return new TextGenerator(await loadGraph(graph.graph, options.session ?? {}), graph, maxPrefillTokens);
  }

  async generate(prompts: readonly (readonly number[])[], options: GenerateOptions): Promise<Generation[]> {
    if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1)
      throw new RangeError("maxNewTokens must be a positive integer");
    if (prompts.some((p) => p.length === 0)) throw new RangeError("every prompt needs at least one token");
    const rng = new Rng(options.seed ?? 0);
    const chunk = options.maxBatchSize ?? 16;
    // similar lengths together: less padding, each prefill within the layout's tokens; results are put back in
    // the caller's order
    const out: Generation[] = new Array<Generation>(prompts.length);
    for (const ids of lengthBatches(
      prompts.map((p) => p.length),
      this.maxPrefillTokens,
      chunk,
    )) {
      const results = await this.generateBatch(
        ids.map((j) => prompts[j]),
        options,
        rng,
      );
      ids.forEach((j, k) => (out[j] = results[k]));
    }
    return out;
  }

  private async generateBatch(
    prompts: readonly (readonly number[])[],
    options: GenerateOptions,
    rng: Rng,
  ): Promise<Generation[]> {
    const b = prompts.length;
    const len = Math.max(...prompts.map((p) => p.length));
    const eos = new Set(options.eosTokenIds);
    const mask: number[][] = prompts.map((p) => [...new Array<number>(len - p.length).fill(0), ...p.map(() => 1)]);
    const ids = prompts.flatMap((p) => [...new Array<number>(len - p.length).fill(options.padTokenId), ...p]);
    // positions count real tokens only (cumsum(mask) − 1); padding gets 1, as transformers does
    const positions = mask.flatMap((row) => {
      let n = -1;
      return row.map((m) => (m === 1 ? ++n : 1));
    });
    const nextPos = mask.map((row) => row.reduce((a, m) => a + m, 0));
    const { numLayers, numKvHeads, headDim } = this.graph;
    const cache: Record<string, HostTensor> = {};
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ["key", "value"])
        cache[`past_${kind}.${l}`] = { dtype: "float32", dims: [b, numKvHeads, 0, headDim], data: new Float32Array(0) };
    }
    let feeds: Record<string, HostTensor> = {
      input_ids: i64([b, len], ids),
      position_ids: i64([b, len], positions),
      cache_position: i64(
        [len],
        Array.from({ length: len }, (_, i) => i),
      ),
      attention_mask: i64([b, len], mask.flat()),
    };
    const generated: number[][] = prompts.map(() => []);
    const finish: ("eos" | "length")[] = prompts.map(() => "length");
    const done = new Array<boolean>(b).fill(false);
    for (let step = 0; step < options.maxNewTokens; step++) {
      // the past cache is never read again: a worker session takes its buffers instead of copying them
      const out = await this.loaded.session.run({ ...feeds, ...cache }, undefined, undefined, Object.keys(cache));
      const logits = out.logits.data as Float32Array; // [B, V]
      const vocab = out.logits.dims[1];
      const next: number[] = [];
      for (let r = 0; r < b; r++) {
        if (done[r]) {
          next.push(options.padTokenId);
          continue;
        }
        const token = sampleToken(logits, options, rng, r * vocab, vocab);
        next.push(token);
        if (eos.has(token)) {
          done[r] = true;
          finish[r] = "eos";
        } else generated[r].push(token);
      }
      if (done.every(Boolean) || step === options.maxNewTokens - 1) break;
      for (let l = 0; l < numLayers; l++) {
        cache[`past_key.${l}`] = out[`present_key.${l}`];
        cache[`past_value.${l}`] = out[`present_value.${l}`];
      }
      for (const row of mask) row.push(1);
      const total = mask[0].length;
      feeds = {
        input_ids: i64([b, 1], next),
        position_ids: i64(
          [b, 1],
          nextPos.map((p) => p + step),
        ),
        cache_position: i64([1], [total - 1]),
        attention_mask: i64([b, total], mask.flat()),
      };
    }
    return generated.map((g, r) => ({ ids: g, finishReason: finish[r] }));
  }

  async release(): Promise<void> {
    await this.loaded.release();
  }
}
