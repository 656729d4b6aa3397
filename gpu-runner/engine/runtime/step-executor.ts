import { gradients } from "../autodiff/gradients.ts";
import type { Graph, Tensor } from "../graph/graph.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import { EngineSession, type SessionConfig } from "./ort-runtime.ts";

/** Output names of a training graph: the scalar loss and one gradient per trainable parameter (by input name). */
export interface TrainOutputs {
  readonly loss: string;
  readonly grads: Readonly<Record<string, string>>;
}

/**
 * Differentiates `loss` with respect to `params` (graph inputs holding trainable weights) and adds the loss
 * and the gradients as graph outputs "loss" and "grad.<param>". Frozen weights are simply not listed.
 */
export function addTrainingOutputs(g: Graph, loss: Tensor, params: readonly Tensor[]): TrainOutputs {
  for (const p of params) {
    if (p.kind !== "input")
      throw new Error(`addTrainingOutputs: trainable ${p} must be a graph input (initializers are frozen)`);
  }
  const grads = gradients(loss, params);
  const lossOut = g.output(loss, "loss");
  const names: Record<string, string> = {};
  params.forEach((p, i) => (names[p.name] = g.output(grads[i], `grad.${p.name}`).name));
  return { loss: lossOut.name, grads: names };
}

export interface StepResult {
  readonly loss: number;
  /** Gradients by parameter name (fresh buffers owned by the caller). */
  readonly grads: Record<string, Float32Array>;
  /** Every fetched output, including loss and gradients. */
  readonly outputs: Record<string, HostTensor>;
}

export interface StepExecutorOptions {
  /** Outputs fetched along with loss and gradients (e.g. logits or per-example losses). */
  readonly extraOutputs?: readonly string[];
  /**
   * Let ORT write gradients into the same buffers every step (saves allocating them); the returned `grads`
   * are then overwritten by the next step, so copy what must outlive it.
   */
  readonly reuseGradBuffers?: boolean;
}

/** Runs a training graph: feeds batch + current parameters, returns loss and gradients. */
export class StepExecutor {
  private gradBuffers: Record<string, HostTensor> | undefined;

  private constructor(
    readonly session: EngineSession,
    readonly outputs: TrainOutputs,
    private readonly fetch: readonly string[],
    private readonly reuse: boolean,
  ) {}

  static async create(
    model: Uint8Array | string,
    outputs: TrainOutputs,
    config: SessionConfig = {},
    options: StepExecutorOptions = {},
  ): Promise<StepExecutor> {
    const session = await EngineSession.create(model, config);
    const fetch = [outputs.loss, ...Object.values(outputs.grads), ...(options.extraOutputs ?? [])];
    return new StepExecutor(session, outputs, fetch, options.reuseGradBuffers ?? false);
  }

  async step(
    batch: Readonly<Record<string, HostTensor>>,
    params: Readonly<Record<string, HostTensor>>,
  ): Promise<StepResult> {
    const out = await this.session.run({ ...batch, ...params }, this.fetch, this.gradBuffers);
    const lossT = out[this.outputs.loss];
    const grads: Record<string, Float32Array> = {};
    for (const [p, name] of Object.entries(this.outputs.grads)) {
      const t = out[name];
      if (!(t.data instanceof Float32Array)) throw new Error(`gradient '${name}' is ${t.dtype}, expected float32`);
      grads[p] = t.data;
    }
    if (this.reuse && !this.gradBuffers)
      this.gradBuffers = Object.fromEntries(Object.values(this.outputs.grads).map((n) => [n, out[n]]));
    return { loss: Number(lossT.data[0]), grads, outputs: out };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
