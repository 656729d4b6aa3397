/**
 * `guardtune doctor [--ep cpu|webgpu] [--model M] [--threads N] [--json]`: what this machine can run. Prints the
 * WebGPU adapter (vendor, driver, buffer limits) and, for a model's training, scoring and decode graphs, how
 * many nodes onnxruntime placed on WebGPU and on the CPU and which op types fell back (from ORT's profiler).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  describeWebGpuAdapter,
  ensureExecutionProvider,
  ExecutionProviderUnavailableError,
  type ExecutionProvider,
  type GraphPlacement,
} from "../../gpu-runner/engine/index.ts";
import { placementReport } from "../../gpu-runner/doctor/placement-report.ts";
import {
  ensureTinyRandomModel,
  loadDecoderCheckpoint,
  TINY_RANDOM_DEFAULT_SEED,
  TINY_RANDOM_MODEL_ID,
} from "../../gpu-runner/models/index.ts";

const USAGE =
  "usage: guardtune doctor [--ep cpu|webgpu] [--model guardtune/tiny-random|HF_DIR] [--threads N] [--json]\n";

export async function doctorCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ep: { type: "string", default: "webgpu" },
        model: { type: "string", default: TINY_RANDOM_MODEL_ID },
        threads: { type: "string", default: "0" },
        json: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`guardtune doctor: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const threads = Number(values.threads);
  if ((values.ep !== "cpu" && values.ep !== "webgpu") || !Number.isInteger(threads) || threads < 0) {
    process.stderr.write(`guardtune doctor: --ep must be cpu or webgpu and --threads a non-negative integer\n${USAGE}`);
    return 2;
  }
  const ep: ExecutionProvider = values.ep;
  const adapter = ep === "webgpu" ? await describeWebGpuAdapter() : undefined;
  const report: Record<string, unknown> = { ep, model: values.model, adapter };
  try {
    await ensureExecutionProvider(ep);
  } catch (e) {
    if (!(e instanceof ExecutionProviderUnavailableError)) throw e;
    report.error = e.message;
    print(report, [], values.json);
    return 1;
  }
  const dir =
    values.model === TINY_RANDOM_MODEL_ID
      ? await ensureTinyRandomModel(join(tmpdir(), `guardtune-tiny-random-${TINY_RANDOM_DEFAULT_SEED}`))
      : values.model;
  const checkpoint = await loadDecoderCheckpoint(dir);
  const graphs = await placementReport(checkpoint, { ep, ...(threads > 0 ? { intraOpThreads: threads } : {}) });
  print(report, graphs, values.json);
  return 0;
}

function print(report: Record<string, unknown>, graphs: GraphPlacement[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...report, graphs })}\n`);
    return;
  }
  const lines = [`execution provider  ${String(report.ep)}`, `model               ${String(report.model)}`];
  const a = report.adapter as Awaited<ReturnType<typeof describeWebGpuAdapter>> | undefined;
  if (a && "error" in a) lines.push(`adapter             unknown: ${a.error}`);
  else if (a) {
    lines.push(`adapter             ${a.vendor} ${a.architecture} ${a.device}`, `driver              ${a.driver}`);
    for (const [k, v] of Object.entries(a.limits)) lines.push(`  ${k.padEnd(34)} ${v}`);
  }
  if (report.error) lines.push(`error               ${String(report.error)}`);
  for (const g of graphs) {
    const list = (kind: string) =>
      g.fallback_ops
        .filter((f) => f.kind === kind)
        .map((f) => `${f.op}×${f.nodes} (${f.cpu_us} µs)`)
        .join(", ") || "none";
    lines.push(
      `${g.graph.padEnd(9)} webgpu ${g.webgpu_nodes}, cpu ${g.cpu_nodes} (compute ${g.cpu_compute_nodes}), copies ${g.copy_nodes}`,
      `          cpu compute: ${list("compute")}`,
      `          cpu index/shape: ${list("index")}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
