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
      // Every node that produces a floating-point tensor runs on WebGPU (the WebGPU lowering rewrites the fused
      // cross-entropy and the int64→float casts ORT has no WebGPU kernel for); only int64/bool index and shape
      // arithmetic, which ORT deliberately keeps next to the host-fed ids, stays on the CPU.
      expect(g.cpu_compute_nodes, g.graph).toBe(0);
      for (const f of g.fallback_ops) expect(f.kind, `${g.graph}: ${f.op}`).toBe("index");
      expect(g.webgpu_nodes, g.graph).toBeGreaterThan(10 * g.cpu_nodes);
    }
    if (ON_WEBGPU) {
      const adapter = report.adapter as { limits: { maxStorageBufferBindingSize: number } };
      expect(adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    }
  });
});
