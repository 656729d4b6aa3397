/**
 * Where onnxruntime ran each node of a graph, read from ORT's own profiler (each executed node's event names
 * its execution provider), so a report never guesses from op tables. Copies between host and device
 * (MemcpyToHost/FromHost) are counted apart: they are not compute.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecutionProvider, SessionConfig } from "./ort-runtime.ts";

export interface FallbackOp {
  readonly op: string;
  /**
   * "compute": the nodes produce floating-point tensors; "index": they only produce int64/bool tensors (shape,
   * position and mask arithmetic, which ORT deliberately keeps on the CPU next to the host-fed ids).
   */
  readonly kind: "compute" | "index";
  /** Nodes of this op type ORT ran on the CPU EP. */
  readonly nodes: number;
  /** Their summed kernel time in the profiled run (µs), the cost of the fallback there. */
  readonly cpu_us: number;
}

export interface GraphPlacement {
  readonly graph: string;
  readonly ep: ExecutionProvider;
  readonly webgpu_nodes: number;
  readonly cpu_nodes: number;
  /** CPU nodes that produce floating-point tensors (the goal on WebGPU: 0). */
  readonly cpu_compute_nodes: number;
  /** Host↔device copies ORT inserted (MemcpyFromHost / MemcpyToHost), not counted above. */
  readonly copy_nodes: number;
  /** Op types that ran on the CPU EP although the session asked for WebGPU (empty on the CPU EP). */
  readonly fallback_ops: FallbackOp[];
  /** Kernel time of the profiled run, all nodes (µs). */
  readonly total_us: number;
}

interface ProfileEvent {
  readonly cat?: string;
  readonly name?: string;
  readonly dur?: number;
  readonly args?: {
    readonly op_name?: string;
    readonly provider?: string;
    readonly output_type_shape?: readonly Record<string, unknown>[];
  };
}

const COPY_OPS = new Set(["MemcpyFromHost", "MemcpyToHost"]);
const FLOAT_TYPES = new Set(["float", "float16", "double", "bfloat16"]);

/** Summarises the node events of one ORT profile (the JSON array ORT writes). */
export function placementFromProfile(
  graph: string,
  ep: ExecutionProvider,
  events: readonly ProfileEvent[],
): GraphPlacement {
  const nodes = new Map<string, { op: string; provider: string; us: number; compute: boolean }>();
  for (const e of events) {
    if (e.cat !== "Node" || !e.name?.endsWith("_kernel_time") || !e.args?.op_name || !e.args.provider) continue;
    const prev = nodes.get(e.name);
    const compute = (e.args.output_type_shape ?? []).some((o) => Object.keys(o).some((t) => FLOAT_TYPES.has(t)));
    nodes.set(e.name, {
      op: e.args.op_name,
      provider: e.args.provider,
      us: (prev?.us ?? 0) + (e.dur ?? 0),
      compute,
    });
  }
  let webgpu = 0;
  let cpu = 0;
  let cpuCompute = 0;
  let copies = 0;
  let total = 0;
  const fallbacks = new Map<string, { kind: FallbackOp["kind"]; nodes: number; us: number }>();
  for (const n of nodes.values()) {
    total += n.us;
    if (COPY_OPS.has(n.op)) copies++;
    else if (n.provider === "WebGpuExecutionProvider") webgpu++;
    else {
      cpu++;
      if (n.compute) cpuCompute++;
      if (ep === "webgpu") {
        const kind = n.compute ? "compute" : "index";
        const key = `${n.op}:${kind}`;
        const f = fallbacks.get(key) ?? { kind, nodes: 0, us: 0 };
        fallbacks.set(key, { kind, nodes: f.nodes + 1, us: f.us + n.us });
      }
    }
  }
  return {
    graph,
    ep,
    webgpu_nodes: webgpu,
    cpu_nodes: cpu,
    cpu_compute_nodes: cpuCompute,
    copy_nodes: copies,
    fallback_ops: [...fallbacks]
      .map(([key, f]) => ({ op: key.split(":")[0], kind: f.kind, nodes: f.nodes, cpu_us: f.us }))
      .sort((a, b) => a.kind.localeCompare(b.kind) || b.cpu_us - a.cpu_us || a.op.localeCompare(b.op)),
    total_us: total,
  };
}

/**
 * Gives `use` a session config that profiles into a temporary directory; after `use` has run the graph and
 * released its sessions (ORT writes the profile on release), returns the placement of every profiled session.
 */
export async function profilePlacement(
  graph: string,
  base: SessionConfig,
  use: (config: SessionConfig) => Promise<void>,
): Promise<GraphPlacement> {
  const ep = base.ep ?? "cpu";
  const dir = await mkdtemp(join(tmpdir(), "guardtune-placement-"));
  try {
    await use({ ...base, enableProfiling: true, profileFilePrefix: join(dir, "profile") });
    const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
    if (files.length === 0)
      throw new Error(`placement of '${graph}': onnxruntime wrote no profile (was a session run and released?)`);
    const events: ProfileEvent[] = [];
    // Node names repeat across sessions: key them by file.
    for (const [i, f] of files.entries())
      for (const e of JSON.parse(await readFile(join(dir, f), "utf8")) as ProfileEvent[])
        events.push({ ...e, name: e.name && `${i}:${e.name}` });
    return placementFromProfile(graph, ep, events);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
