/**
 * Reads onnxruntime's own profiler output (the Chrome-trace JSON that `enableProfiling` writes when the session
 * ends) and sums the kernel time of one run by op type and by what the time is spent on.
 */
import { readdir, readFile, rm } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import type { DecoderConfig } from "../gpu-runner/models/index.ts";

interface TraceEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number; // µs
  readonly dur: number; // µs
  readonly args?: {
    readonly op_name?: string;
    readonly input_type_shape?: readonly Record<string, readonly number[]>[];
    readonly output_type_shape?: readonly Record<string, readonly number[]>[];
  };
}

/** One MatMul shape class: its total time and the rate it ran at. */
export interface MatmulShare extends TimeShare {
  readonly gflops: number;
}

export interface TimeShare {
  readonly key: string;
  readonly ms: number;
  /** Fraction of the run's wall time. */
  readonly share: number;
  readonly kernels: number;
}

export interface RunBreakdown {
  /** Wall time of the profiled run (ORT's model_run event). */
  readonly runMs: number;
  /** Sum of kernel times (below runMs by ORT's own scheduling overhead). */
  readonly kernelMs: number;
  readonly byOpType: readonly TimeShare[];
  readonly byCategory: readonly TimeShare[];
  /** MatMul / FusedMatMul kernels by op and operand shapes, with their achieved GFLOP/s. */
  readonly matmulShapes: readonly MatmulShare[];
}

/** Reads and removes the profile file(s) written under `prefix` (ORT appends a timestamp and `.json`). */
export async function takeProfile(prefix: string): Promise<TraceEvent[][]> {
  const dir = dirname(prefix);
  const files = (await readdir(dir)).filter((f) => f.startsWith(basename(prefix)) && f.endsWith(".json"));
  const out: TraceEvent[][] = [];
  for (const f of files.sort()) {
    out.push(JSON.parse(await readFile(join(dir, f), "utf8")) as TraceEvent[]);
    await rm(join(dir, f), { force: true });
  }
  return out;
}

/** Model widths that tell, from a kernel's output shape, which part of the model it works on. */
export interface ModelWidths {
  readonly hidden: number;
  readonly ffn: number;
  readonly vocab: number;
  readonly headDim: number;
  /** Widths of the q/k/v projections (heads × head dim). */
  readonly qkv: readonly number[];
  readonly seqLen: number;
}

/** The widths of a decoder config, for naming what its kernels touch. */
export function modelWidths(cfg: DecoderConfig, seqLen: number): ModelWidths {
  return {
    hidden: cfg.hiddenSize,
    ffn: cfg.intermediateSize,
    vocab: cfg.vocabSize,
    headDim: cfg.headDim,
    qkv: [cfg.numHeads * cfg.headDim, cfg.numKvHeads * cfg.headDim],
    seqLen,
  };
}

/**
 * What a kernel's time is spent on, from its op type, node name (gradient nodes live under `grad/`) and
 * output shape (its last dim says which tensor family it touches).
 */
export function categorise(opType: string, nodeName: string, out: readonly number[], w?: ModelWidths): string {
  const dir = nodeName.includes("grad/") ? "backward" : "forward";
  if (/MatMul|^Gemm$/.test(opType)) return `matmul ${dir}`;
  if (
    /^(Shape|Size|Range|Equal|Not|And|Or|Less|LessOrEqual|Greater|Cast|Constant|ConstantOfShape)$/.test(opType) &&
    !(w && out[out.length - 1] === w.vocab)
  )
    return "shapes, masks, constants";
  const last = out[out.length - 1];
  const layout = /^(Transpose|Reshape|Concat|Slice|Split|Squeeze|Unsqueeze|Expand|Identity|Pad)$/.test(opType);
  let family = "other";
  if (w) {
    if (last === w.vocab) family = "softmax/CE over vocab";
    else if (out.length === 4 && last === w.seqLen) family = "attention scores (softmax, mask)";
    else if (last === w.headDim) family = "attention heads (RoPE, head layout)";
    else if (last === w.ffn) family = "MLP activations (SwiGLU)";
    else if (last === w.hidden) family = "hidden-wide (RMSNorm, residual, LoRA sums)";
    else if (w.qkv.includes(last)) family = "q/k/v-wide (LoRA sums, head merge)";
    else if (opType === "Gather" || opType === "ScatterND") family = "embedding";
    else if (out.length <= 2 && (last === undefined || last <= 64)) family = "small (LoRA rank, reductions)";
  }
  return `${family}: ${layout ? "layout/copies" : "compute"} ${dir}`;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * FLOPs of a (Fused)MatMul event from its operand shapes, transposes included: a [.., M, K] and b [.., K, N]
 * in either orientation give K² · (batch of b) = |a|·|b| / |out|, so K needs no knowledge of the attributes.
 * A prepacked constant weight is missing from the event's inputs; then K is a's last dim.
 */
function matmulFlops(e: TraceEvent): number | undefined {
  const [a, b] = (e.args?.input_type_shape ?? []).map((t) => Object.values(t)[0]);
  const out = Object.values(e.args?.output_type_shape?.[0] ?? {})[0];
  if (!a || !out) return undefined;
  // A weight ORT prepacked is not listed as an input: then a is [..., M, K] untransposed.
  const k = b ? Math.sqrt((product(a) * product(b)) / (product(out) * product(b.slice(0, -2)))) : a[a.length - 1];
  return 2 * product(out) * k;
}

function table(acc: Map<string, { us: number; n: number }>, runUs: number): TimeShare[] {
  return [...acc]
    .map(([key, v]) => ({ key, ms: v.us / 1000, share: v.us / runUs, kernels: v.n }))
    .sort((a, b) => b.ms - a.ms);
}

/** The kernel times of the last `model_run` in `events` (the warm-up runs before it are left out). */
export function lastRunBreakdown(events: readonly TraceEvent[], widths?: ModelWidths): RunBreakdown {
  const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run");
  const run = runs[runs.length - 1];
  if (run === undefined) throw new Error("onnxruntime profile: no model_run event (was profiling enabled?)");
  const byOp = new Map<string, { us: number; n: number }>();
  const byCat = new Map<string, { us: number; n: number }>();
  const byShape = new Map<string, { us: number; n: number; flops: number }>();
  let kernelUs = 0;
  for (const e of events) {
    if (e.cat !== "Node" || !e.name.endsWith("_kernel_time") || e.ts < run.ts || e.ts > run.ts + run.dur) continue;
    const op = e.args?.op_name ?? "?";
    const out = Object.values(e.args?.output_type_shape?.[0] ?? {})[0] ?? [];
    const cat = categorise(op, e.name, out, widths);
    for (const [m, k] of [
      [byOp, op],
      [byCat, cat],
    ] as const) {
      const v = m.get(k) ?? { us: 0, n: 0 };
      v.us += e.dur;
      v.n += 1;
      m.set(k, v);
    }
    kernelUs += e.dur;
    const flops = /MatMul/.test(op) ? matmulFlops(e) : undefined;
    if (flops !== undefined) {
      const shapes = (e.args?.input_type_shape ?? []).map((t) => `[${Object.values(t)[0].join(",")}]`).join("·");
      const key = `${op} ${shapes}`;
      const v = byShape.get(key) ?? { us: 0, n: 0, flops: 0 };
      v.us += e.dur;
      v.n += 1;
      v.flops += flops;
      byShape.set(key, v);
    }
  }
  const matmulShapes = [...byShape]
    .map(([key, v]) => ({ key, ms: v.us / 1000, share: v.us / run.dur, kernels: v.n, gflops: v.flops / v.us / 1e3 }))
    .sort((a, b) => b.ms - a.ms);
  return {
    runMs: run.dur / 1000,
    kernelMs: kernelUs / 1000,
    byOpType: table(byOp, run.dur),
    byCategory: table(byCat, run.dur),
    matmulShapes,
  };
}

/** A fixed-width text table of time shares (ms and % of the run). */
export function formatShares(title: string, rows: readonly (TimeShare | MatmulShare)[], limit = 20): string {
  const width = Math.max(44, ...rows.slice(0, limit).map((r) => r.key.length));
  const rate = rows.some((r) => "gflops" in r);
  const lines = [
    `${title.padEnd(width)} ${"ms".padStart(9)} ${"%".padStart(6)} ${"kernels".padStart(8)}${rate ? " GFLOP/s".padStart(9) : ""}`,
  ];
  for (const r of rows.slice(0, limit))
    lines.push(
      `${r.key.padEnd(width)} ${r.ms.toFixed(1).padStart(9)} ${(100 * r.share).toFixed(1).padStart(6)} ${String(r.kernels).padStart(8)}${"gflops" in r ? r.gflops.toFixed(1).padStart(9) : ""}`,
    );
  return lines.join("\n");
}
