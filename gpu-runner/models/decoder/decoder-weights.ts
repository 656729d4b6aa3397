/**
 * Puts a decoder's weights into a graph: frozen base weights as initializers or inputs, trainable full
 * parameters as inputs (with a frozen copy for the reference pass), LoRA matrices as inputs by PEFT name.
 */
import { f32, type Graph, type Tensor } from "../../engine/index.ts";
import type { DecoderConfig } from "../config/decoder-config.ts";
import { expectedWeights, projectionModulePath, projectionShape } from "../config/weight-catalogue.ts";
import type { F32Tensor } from "../io/f32-tensor.ts";
import { loraScale, loraTargets, peftTensorName, type LoraSettings, type LoraTarget } from "../lora/lora-settings.ts";
import { dropoutMaskName, type BufferLayout, type DecoderGraphOptions, type WeightStorage } from "./decoder-options.ts";
import {
  vocabChunkRows,
  vocabInitializers,
  vocabSlices,
  type VocabChunks,
  type VocabWeights,
} from "./decoder-vocab.ts";

const EMBED = "model.embed_tokens.weight";
const HEAD = "lm_head.weight";

/** Base weights of one forward pass by HF name; `lm_head.weight` is the embedding when tied. */
export type PassWeights = ReadonlyMap<string, Tensor>;

export interface LoraBinding {
  readonly a: Tensor; // [r, in]
  readonly b: Tensor; // [out, r]
  readonly scale: number;
  readonly dropout: number;
  readonly keepMask?: Tensor; // [B, T, in]
}

export interface BoundWeights {
  readonly theta: PassWeights;
  /** Weights of the reference pass (the same tensors unless full parameters are trained). */
  readonly reference: PassWeights;
  readonly trainable: Map<string, Tensor>;
  readonly weightInputs: Map<string, Tensor>;
  /** LoRA by `model.layers.N.<block>.<proj>` module path. */
  readonly lora: Map<string, LoraBinding>;
  readonly loraTargets: LoraTarget[];
  readonly dropoutMasks: Map<string, Tensor>;
  /** The embedding and LM head of each pass, in row chunks when `vocabChunkRows` is set. */
  readonly vocab: { readonly theta: VocabWeights; readonly reference: VocabWeights };
}

function sourceOf(
  weights: ReadonlyMap<string, F32Tensor> | undefined,
  name: string,
  shape: readonly number[],
): F32Tensor {
  const w = weights?.get(name);
  if (w === undefined)
    throw new Error(`decoder graph: weight '${name}' [${shape.join(", ")}] is needed but was not given`);
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`decoder graph: weight '${name}' is [${w.shape.join(", ")}], expected [${shape.join(", ")}]`);
  }
  return w;
}

function frozen(
  g: Graph,
  name: string,
  shape: number[],
  storage: WeightStorage,
  weights: ReadonlyMap<string, F32Tensor> | undefined,
  inputs: Map<string, Tensor>,
): Tensor {
  if (storage === "input") {
    const t = g.input(name, "float32", shape);
    inputs.set(name, t);
    return t;
  }
  return g.initializer(name, f32(shape, sourceOf(weights, name, shape).data), { external: storage === "external" });
}

function withTiedHead(cfg: DecoderConfig, m: Map<string, Tensor>): Map<string, Tensor> {
  if (cfg.tieWordEmbeddings && m.has(EMBED)) m.set(HEAD, m.get(EMBED)!);
  return m;
}

/** A pass's vocabulary matrices: the chunk initializers bound instead of the weight, else slices of the weight. */
function vocabOf(
  cfg: DecoderConfig,
  weights: ReadonlyMap<string, Tensor>,
  chunks: ReadonlyMap<string, VocabChunks>,
  rows: number | undefined,
): VocabWeights {
  const of = (name: string) => chunks.get(name) ?? vocabSlices(weights.get(name)!, rows);
  const embed = of(EMBED);
  return { embed, head: cfg.tieWordEmbeddings ? embed : of(HEAD) };
}

/** Rows per vocabulary chunk: as given, else from the buffer limit, else undefined (one chunk). */
export function vocabRowsOf(cfg: DecoderConfig, opts: BufferLayout): number | undefined {
  if (opts.vocabChunkRows !== undefined || opts.bufferLimit === undefined) return opts.vocabChunkRows;
  return vocabChunkRows(opts.bufferLimit.bytes, opts.bufferLimit.maxTokens, cfg.hiddenSize, cfg.vocabSize);
}

export function bindWeights(
  g: Graph,
  cfg: DecoderConfig,
  opts: DecoderGraphOptions,
  needReference: boolean,
): BoundWeights {
  const storage: WeightStorage = opts.weightStorage ?? (opts.weights ? "initializer" : "input");
  const theta = new Map<string, Tensor>();
  const reference = new Map<string, Tensor>();
  const trainable = new Map<string, Tensor>();
  const weightInputs = new Map<string, Tensor>();
  const rows = vocabRowsOf(cfg, opts);
  // Frozen vocabulary matrices are bound as chunk initializers directly: the whole matrix is never one buffer.
  const chunks = new Map<string, VocabChunks>();
  for (const [name, shape] of expectedWeights(cfg)) {
    if (rows !== undefined && !opts.fullParams && storage !== "input" && (name === EMBED || name === HEAD)) {
      chunks.set(name, vocabInitializers(g, name, sourceOf(opts.weights, name, shape), rows, storage === "external"));
    } else if (opts.fullParams) {
      const t = g.input(name, "float32", shape);
      theta.set(name, t);
      trainable.set(name, t);
      // The reference model is the starting point: a frozen copy of the weights given at build time.
      if (needReference)
        reference.set(
          name,
          frozen(
            g,
            `reference.${name}`,
            shape,
            storage === "input" ? "initializer" : storage,
            renameSource(opts.weights, name),
            weightInputs,
          ),
        );
    } else {
      const t = frozen(g, name, shape, storage, opts.weights, weightInputs);
      theta.set(name, t);
      reference.set(name, t);
    }
  }
  const lora = new Map<string, LoraBinding>();
  const dropoutMasks = new Map<string, Tensor>();
  const targets = opts.lora ? loraTargets(opts.lora, cfg) : [];
  if (opts.lora) bindLora(g, cfg, opts.lora, targets, lora, trainable, dropoutMasks);
  const thetaVocab = vocabOf(cfg, theta, chunks, rows);
  return {
    vocab: {
      theta: thetaVocab,
      reference: opts.fullParams && needReference ? vocabOf(cfg, reference, chunks, rows) : thetaVocab,
    },
    theta: withTiedHead(cfg, theta),
    reference: withTiedHead(cfg, opts.fullParams ? reference : theta),
    trainable,
    weightInputs,
    lora,
    loraTargets: targets,
    dropoutMasks,
  };
}

/** The frozen reference copy is stored as `reference.<name>` but read from the source under `<name>`. */
function renameSource(
  weights: ReadonlyMap<string, F32Tensor> | undefined,
  name: string,
): ReadonlyMap<string, F32Tensor> | undefined {
  const w = weights?.get(name);
  return w === undefined ? undefined : new Map([[`reference.${name}`, w]]);
}

function bindLora(
  g: Graph,
  cfg: DecoderConfig,
  settings: LoraSettings,
  targets: readonly LoraTarget[],
  lora: Map<string, LoraBinding>,
  trainable: Map<string, Tensor>,
  dropoutMasks: Map<string, Tensor>,
): void {
  if (targets.length === 0)
    throw new Error("decoder graph: the LoRA target_modules select no projection of this model");
  const scale = loraScale(settings);
  for (const target of targets) {
    const { out, in: inFeatures } = projectionShape(cfg, target.projection);
    const a = g.input(peftTensorName(target, "A"), "float32", [settings.r, inFeatures]);
    const b = g.input(peftTensorName(target, "B"), "float32", [out, settings.r]);
    trainable.set(a.name, a);
    trainable.set(b.name, b);
    let keepMask: Tensor | undefined;
    if (settings.dropout > 0) {
      keepMask = g.input(dropoutMaskName(target), "float32", ["B", "T", inFeatures]);
      dropoutMasks.set(keepMask.name, keepMask);
    }
    lora.set(projectionModulePath(target.layer, target.projection), {
      a,
      b,
      scale,
      dropout: settings.dropout,
      keepMask,
    });
  }
}
