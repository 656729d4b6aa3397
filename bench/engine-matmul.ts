/**
 * Engine MatMul bench: achieved GFLOP/s of a matmul-heavy training step (forward + backward of SwiGLU MLP
 * blocks at the bench-small shapes: hidden 512, ffn 1408, 8×256 tokens) next to raw onnxruntime MatMul GFLOP/s
 * measured in the same run, plus the LoRA-step cost of frozen weights as inputs vs initializers and the AdamW
 * update in TypeScript vs as an ONNX graph.
 */
import { pathToFileURL } from "node:url";
import { AdamW, EngineSession, StepExecutor, type HostTensor } from "../gpu-runner/engine/index.ts";
import { adamwGraph, loraParamCount, mlpStack, type StackShape } from "./engine-matmul-graphs.ts";
import { bestOf, measureMatmulPeak } from "./matmul-peak.ts";

export interface MatmulBenchOptions {
  readonly threads?: number;
  /** When false, a readable summary is printed to stdout as well. */
  readonly json?: boolean;
  readonly layers?: number;
  readonly steps?: number;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function runMatmulBench(opts: MatmulBenchOptions = {}): Promise<Record<string, unknown>> {
  const threads = opts.threads ?? 2;
  const steps = opts.steps ?? 5;
  const shape: StackShape = { tokens: 8 * 256, hidden: 512, ffn: 1408, layers: opts.layers ?? 2 };
  const config = { intraOpThreads: threads, graphOptimizationLevel: "all" as const };

  // Raw MatMul at the two projection shapes of the block (up/gate and down): operands fed per run, the output
  // written into a preallocated buffer, so the figure is the kernel plus the unavoidable feed overhead.
  const rawGflops = await measureMatmulPeak(threads, steps * 4, [
    [shape.tokens, shape.hidden, shape.ffn],
    [shape.tokens, shape.ffn, shape.hidden],
  ]);

  const stepMs = async (mode: "full" | "lora-inputs" | "lora-initializers") => {
    const b = mlpStack(shape, mode);
    const exec = await StepExecutor.create(b.model, b.outputs, config);
    const ms = await bestOf(steps, () => exec.step(b.feeds, {}));
    await exec.release();
    return { ms, flops: b.flops };
  };
  const full = await stepMs("full");
  const trainGflops = full.flops / full.ms / 1e6;
  const loraInputs = await stepMs("lora-inputs");
  const loraInits = await stepMs("lora-initializers");

  // AdamW over the LoRA parameter count: TypeScript loop vs an ONNX graph fed p, g, m, v each step.
  const n = loraParamCount(shape);
  const params = { p: new Float32Array(n).fill(0.1) };
  const grads = { p: new Float32Array(n).fill(0.01) };
  const opt = new AdamW({ lr: 1e-3 });
  const tsMs = await bestOf(steps * 3, async () => opt.step(params, grads));
  const ag = adamwGraph(n);
  const as = await EngineSession.create(ag.model, config);
  const graphMs = await bestOf(steps * 3, () => as.run(ag.feeds as Record<string, HostTensor>));
  await as.release();

  const result = {
    threads,
    ep: "cpu",
    shape: { ...shape, rank: 16 },
    raw_matmul_gflops: round(rawGflops),
    train_step_gflops: round(trainGflops),
    mfu_ratio: round(trainGflops / rawGflops, 3),
    train_step_ms: round(full.ms, 1),
    lora_step_ms_frozen_as_inputs: round(loraInputs.ms, 1),
    lora_step_ms_frozen_as_initializers: round(loraInits.ms, 1),
    lora_step_gflops_initializers: round(loraInits.flops / loraInits.ms / 1e6),
    adamw_params: n,
    adamw_ms_typescript: round(tsMs, 2),
    adamw_ms_onnx_graph: round(graphMs, 2),
  };
  if (!opts.json) {
    for (const [k, v] of Object.entries(result))
      console.log(`${k.padEnd(38)} ${typeof v === "object" ? JSON.stringify(v) : v}`);
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const json = process.argv.includes("--json");
  const result = await runMatmulBench({ threads: arg("threads"), layers: arg("layers"), steps: arg("steps"), json });
  if (json) console.log(JSON.stringify(result));
}
