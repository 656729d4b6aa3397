/**
 * A decoder on onnxruntime: the forward graph, the training graph (loss + gradients of the trainable inputs)
 * and the evaluation graph (loss only) are each built and loaded once, on first use, with symbolic B and T so
 * every batch shape runs on the same session.
 */
import {
  addTrainingOutputs,
  EngineSession,
  f32,
  Graph,
  needsExternalData,
  serialiseGraph,
  StepExecutor,
  type HostTensor,
  type SessionConfig,
  type Tensor,
} from "../../engine/index.ts";
import type { DecoderConfig } from "../config/decoder-config.ts";
import { batchFeeds, type DecoderBatch } from "./decoder-batch.ts";
import { buildDecoderGraph } from "./decoder-graph.ts";
import { buildLossGraph, type LossSpec } from "./decoder-losses.ts";
import type { DecoderGraph, DecoderGraphOptions } from "./decoder-options.ts";
import { wholeLogits } from "./decoder-vocab.ts";

export interface DecoderSessionOptions extends DecoderGraphOptions {
  /** The objective of `lossAndGrads` / `loss` (default: plain cross-entropy). */
  readonly objective?: LossSpec;
  readonly session?: SessionConfig;
  /** ORT writes gradients into the same buffers every step (copy what must outlive the next step). */
  readonly reuseGradBuffers?: boolean;
}

export interface DecoderForward {
  /** [B, T, V] */
  readonly logits?: Float32Array;
  /** [B, T, H] by HF hidden-state index */
  readonly hidden: Map<number, Float32Array>;
  readonly reference?: { readonly logits?: Float32Array; readonly hidden: Map<number, Float32Array> };
}

export interface DecoderLossValues {
  /** The weighted total. */
  readonly loss: number;
  readonly ce: number;
  /** [B] mean CE over each example's supervised tokens */
  readonly perExampleCe: Float32Array;
  /** Unweighted values of the extra terms (`kl_theta_ref`, `kl_ref_theta`, `ldifs`). */
  readonly terms: Record<string, number>;
}

export interface DecoderLossResult extends DecoderLossValues {
  /** By trainable name: PEFT keys for LoRA, HF names for full parameters. */
  readonly grads: Record<string, Float32Array>;
}

interface Loaded {
  readonly session: EngineSession;
  readonly decoder: DecoderGraph;
  readonly inputNames: ReadonlySet<string>;
  readonly cleanup: () => Promise<void>;
}

export class DecoderSession {
  private forwardGraph?: Promise<Loaded>;
  private evalGraph?: Promise<Loaded & { terms: string[] }>;
  private trainGraph?: Promise<{ exec: StepExecutor; loaded: Loaded; terms: string[] }>;
  private readonly weightFeeds: Record<string, HostTensor> = {};
  /** [shape] of every trainable input, by name. */
  readonly trainableShapes = new Map<string, number[]>();
  private readonly dropoutInFeatures = new Map<string, number>();

  readonly options: DecoderSessionOptions;

  private constructor(
    readonly config: DecoderConfig,
    options: DecoderSessionOptions,
  ) {
    const big =
      options.weightStorage === undefined || options.weightStorage === "initializer"
        ? needsExternalData(options.weights?.values() ?? [])
        : false;
    this.options = big ? { ...options, weightStorage: "external" } : options;
    // A throwaway build tells the trainable names and shapes without loading anything.
    const probe = buildDecoderGraph(new Graph("probe"), config, {
      ...options,
      weightStorage: "input",
      hiddenStates: [],
      reference: undefined,
      logits: false,
    });
    for (const [name, t] of probe.trainable) this.trainableShapes.set(name, t.shape as number[]);
    for (const [name, t] of probe.dropoutMasks) this.dropoutInFeatures.set(name, t.shape[2] as number);
    if (
      (this.options.weightStorage ?? (options.weights ? "initializer" : "input")) === "input" &&
      !options.fullParams
    ) {
      for (const [name, t] of probe.weightInputs) {
        const w = options.weights?.get(name);
        if (w) this.weightFeeds[name] = f32(t.shape as number[], w.data);
      }
    }
  }

  static create(config: DecoderConfig, options: DecoderSessionOptions = {}): DecoderSession {
    return new DecoderSession(config, options);
  }

  /**
   * Logits and the requested hidden states (adapted and reference passes). The logits are the whole [B, T, V]
   * (the vocabulary chunks joined), for small models, fixtures and short inputs: at real sizes that tensor is
   * above a WebGPU adapter's binding limit. Training and evaluation go through `lossAndGrads` / `loss`, which
   * stay in chunks; scoring and decoding have their own graphs (AnswerScorer, TextGenerator), and a caller
   * that only wants hidden states sets `logits: false`.
   */
  async forward(batch: DecoderBatch, params: Readonly<Record<string, Float32Array>> = {}): Promise<DecoderForward> {
    const loaded = await (this.forwardGraph ??= this.load("forward", (g) => {
      const d = buildDecoderGraph(g, this.config, this.options);
      if (d.logitChunks) g.output(wholeLogits(d.logitChunks), "logits");
      for (const [i, t] of d.hidden) g.output(t, `hidden_${i}`);
      if (d.reference?.logitChunks) g.output(wholeLogits(d.reference.logitChunks), "reference.logits");
      for (const [i, t] of d.reference?.hidden ?? []) g.output(t, `reference.hidden_${i}`);
      return d;
    }));
    const out = await loaded.session.run(this.feeds(loaded, batch, params));
    const data = (name: string) => out[name]?.data as Float32Array | undefined;
    const hidden = (prefix: string, indices: Iterable<number>) =>
      new Map([...indices].map((i) => [i, data(`${prefix}hidden_${i}`)!]));
    const d = loaded.decoder;
    return {
      logits: data("logits"),
      hidden: hidden("", d.hidden.keys()),
      reference: d.reference && {
        logits: data("reference.logits"),
        hidden: hidden("reference.", d.reference.hidden.keys()),
      },
    };
  }

  /** The objective and its gradients with respect to every trainable input. */
  async lossAndGrads(batch: DecoderBatch, params: Readonly<Record<string, Float32Array>>): Promise<DecoderLossResult> {
    const train = await (this.trainGraph ??= this.loadTraining());
    const feeds = this.feeds(train.loaded, batch, params);
    const trainable = new Set(this.trainableShapes.keys());
    const batchPart = Object.fromEntries(Object.entries(feeds).filter(([k]) => !trainable.has(k)));
    const paramPart = Object.fromEntries(Object.entries(feeds).filter(([k]) => trainable.has(k)));
    const r = await train.exec.step(batchPart, paramPart);
    return { ...lossValues(r.outputs, train.terms), grads: r.grads };
  }

  /** The objective without gradients (validation loss, scoring). */
  async loss(batch: DecoderBatch, params: Readonly<Record<string, Float32Array>> = {}): Promise<DecoderLossValues> {
    const loaded = await (this.evalGraph ??= this.loadEval());
    return lossValues(await loaded.session.run(this.feeds(loaded, batch, params)), loaded.terms);
  }

  async release(): Promise<void> {
    const all = await Promise.allSettled([this.forwardGraph, this.evalGraph, this.trainGraph?.then((t) => t.loaded)]);
    for (const r of all) {
      if (r.status !== "fulfilled" || r.value === undefined) continue;
      await r.value.session.release();
      await r.value.cleanup();
    }
    this.forwardGraph = this.evalGraph = this.trainGraph = undefined;
  }

  private async loadEval(): Promise<Loaded & { terms: string[] }> {
    let terms: string[] = [];
    const loaded = await this.load("loss", (g) => {
      const lg = buildLossGraph(g, this.config, this.options, this.options.objective ?? {});
      addLossOutputs(g, lg.loss, lg.ce, lg.perExampleCe, lg.terms);
      terms = [...lg.terms.keys()];
      return lg.decoder;
    });
    return { ...loaded, terms };
  }

  private async loadTraining(): Promise<{ exec: StepExecutor; loaded: Loaded; terms: string[] }> {
    const g = new Graph("decoder-train");
    const lg = buildLossGraph(g, this.config, this.options, this.options.objective ?? {});
    const params: Tensor[] = [...lg.decoder.trainable.values()];
    if (params.length === 0)
      throw new Error("decoder session: nothing is trainable (give LoRA settings or fullParams)");
    const outputs = addTrainingOutputs(g, lg.loss, params);
    const extra = addLossOutputs(g, undefined, lg.ce, lg.perExampleCe, lg.terms);
    const terms = [...lg.terms.keys()];
    const { model, cleanup } = await serialiseGraph(g, this.options.session?.ep);
    const exec = await StepExecutor.create(model, outputs, this.options.session, {
      extraOutputs: extra,
      reuseGradBuffers: this.options.reuseGradBuffers,
    }).catch(async (e: unknown) => {
      await cleanup();
      throw e;
    });
    const loaded: Loaded = {
      session: exec.session,
      decoder: lg.decoder,
      inputNames: new Set(exec.session.inputNames),
      cleanup,
    };
    return { exec, loaded, terms };
  }

  private async load(name: string, build: (g: Graph) => DecoderGraph): Promise<Loaded> {
    const g = new Graph(`decoder-${name}`);
    const decoder = build(g);
    const { model, cleanup } = await serialiseGraph(g, this.options.session?.ep);
    const session = await EngineSession.create(model, this.options.session).catch(async (e: unknown) => {
      await cleanup();
      throw e;
    });
    return { session, decoder, inputNames: new Set(session.inputNames), cleanup };
  }

  private feeds(
    loaded: Loaded,
    batch: DecoderBatch,
    params: Readonly<Record<string, Float32Array>>,
  ): Record<string, HostTensor> {
    const feeds: Record<string, HostTensor> = {
      ...this.weightFeeds,
      ...batchFeeds(batch, this.config.hiddenSize, this.dropoutInFeatures),
    };
    for (const [name, shape] of this.trainableShapes) {
      const p = params[name];
      if (p !== undefined) feeds[name] = f32(shape, p);
    }
    const missing = [...loaded.inputNames].filter((n) => feeds[n] === undefined);
    if (missing.length > 0)
      throw new Error(
        `decoder session: missing feeds ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` (+${missing.length - 5})` : ""}`,
      );
    return Object.fromEntries(Object.entries(feeds).filter(([k]) => loaded.inputNames.has(k)));
  }
}

/** Graph outputs "ce", "per_example_ce", "term.<name>" (and "loss" when given); returns their names. */
function addLossOutputs(
  g: Graph,
  loss: Tensor | undefined,
  ce: Tensor,
  perExample: Tensor,
  terms: ReadonlyMap<string, Tensor>,
): string[] {
  if (loss) g.output(loss, "loss");
  const names = [g.output(ce, "ce").name, g.output(perExample, "per_example_ce").name];
  for (const [name, t] of terms) names.push(g.output(t, `term.${name}`).name);
  return names;
}

function lossValues(out: Record<string, HostTensor>, terms: readonly string[]): DecoderLossValues {
  const scalar = (name: string) => Number(out[name].data[0]);
  return {
    loss: scalar("loss"),
    ce: scalar("ce"),
    perExampleCe: out.per_example_ce.data as Float32Array,
    terms: Object.fromEntries(terms.map((t) => [t, scalar(`term.${t}`)])),
  };
}
