import type { Graph } from "../graph/graph.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import { loadGraph } from "../runtime/load-graph.ts";
import type { SessionConfig } from "../runtime/ort-runtime.ts";
import { TEST_EP } from "./test-ep.ts";

/** Builds a session for `g`, runs it once and releases it (tests only). */
export async function runGraph(
  g: Graph,
  feeds: Record<string, HostTensor>,
  config: SessionConfig = {},
): Promise<Record<string, HostTensor>> {
  const s = await loadGraph(g, { ep: TEST_EP, intraOpThreads: 1, ...config });
  try {
    return await s.session.run(feeds);
  } finally {
    await s.release();
  }
}

/** The values of a host tensor as plain numbers. */
export const values = (t: HostTensor): number[] => Array.from(t.data as ArrayLike<number>, Number);
