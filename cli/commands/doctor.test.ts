import { afterEach, describe, expect, it, vi } from "vitest";
import { ON_WEBGPU, TEST_EP } from "../../gpu-runner/engine/testing/test-ep.ts";
import { doctorCommand } from "./doctor.ts";

afterEach(() => vi.restoreAllMocks());

async function doctorJson(argv: string[]): Promise<{ code: number; report: Record<string, unknown> }> {
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const code = await doctorCommand(argv);
  vi.restoreAllMocks();
  return { code, report: JSON.parse(out) as Record<string, unknown> };
}

interface Placement {
  graph: string;
  webgpu_nodes: number;
  cpu_nodes: number;
  cpu_compute_nodes: number;
  fallback_ops: { op: string; kind: string; nodes: number; cpu_us: number }[];
}

describe(`guardtune doctor --ep ${TEST_EP}`, () => {
  it("refuses an unknown execution provider", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await doctorCommand(["--ep", "cuda"])).toBe(2);
  });

  it("reports the placement of the training, scoring and decode graphs of the tiny model from ORT's profile", async () => {
    const { code, report } = await doctorJson(["--ep", TEST_EP, "--json", "--threads", "1"]);
    expect(code).toBe(0);
    const graphs = report.graphs as Placement[];
    expect(graphs.map((g) => g.graph)).toEqual(["training", "scoring", "decode"]);
    for (const g of graphs) {
      expect(g.webgpu_nodes + g.cpu_nodes, g.graph).toBeGreaterThan(50);
      if (!ON_WEBGPU) {
        expect(g.webgpu_nodes).toBe(0);
        expect(g.fallback_ops).toEqual([]);
        continue;
      }
      // Every floating-point op runs on WebGPU except the cast of the host-fed int64 attention mask to
      // float, which ORT keeps next to the other index arithmetic on the CPU ([B, T], microseconds), and — in
      // the training graph only — the LogSoftmax inside ORT's expansion of the fused SoftmaxCrossEntropyLoss,
      // which has no WebGPU kernel in ORT 1.30 ([B·T, V] on the CPU: a known cost, listed by the doctor).
      const compute = g.fallback_ops.filter((f) => f.kind === "compute");
      const allowed = g.graph === "training" ? ["LogSoftmax", "Cast"] : ["Cast"];
      for (const f of compute) expect(allowed, `${g.graph}: ${f.op}`).toContain(f.op);
      expect(g.cpu_compute_nodes, g.graph).toBeLessThanOrEqual(allowed.length);
      expect(g.webgpu_nodes, g.graph).toBeGreaterThan(10 * g.cpu_nodes);
    }
    if (ON_WEBGPU) {
      const adapter = report.adapter as { limits: { maxStorageBufferBindingSize: number } };
      expect(adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    }
  });
});
