/** Runs grouped by (task, method): each metric's mean ± sd over seeds. */
import type { MethodId } from "./matrix.ts";
import { METRIC_KEYS, type MetricKey, type Run } from "./results-schema.ts";
import { meanSd, type MeanSd } from "./stats.ts";

export interface Aggregate {
  readonly task: string;
  readonly method: MethodId;
  readonly seeds: number;
  readonly metrics: Record<MetricKey, MeanSd | null>;
  /** Runs whose job the misalignment gate failed (measured, adapter withheld). */
  readonly gateFailed: number;
  /** Runs that measured nothing (failed for another reason before the evaluation). */
  readonly unmeasured: number;
  /** With a single seed the error bar is the run's 95 % interval (fractions); null with several seeds. */
  readonly singleRunCi: Record<MetricKey, readonly [number, number] | null> | null;
}

export function aggregate(runs: readonly Run[]): Aggregate[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const k = `${r.task}\u0000${r.method}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const metrics = Object.fromEntries(METRIC_KEYS.map((k) => [k, meanSd(group.map((r) => r.metrics[k]))])) as Record<
      MetricKey,
      MeanSd | null
    >;
    const single = group.length === 1 ? group[0] : null;
    return {
      task: group[0].task,
      method: group[0].method,
      seeds: group.length,
      metrics,
      gateFailed: group.filter((r) => r.gate_failed).length,
      unmeasured: group.filter((r) => r.metrics.general_misalignment === null).length,
      singleRunCi: single
        ? (Object.fromEntries(METRIC_KEYS.map((k) => [k, single.intervals[k]?.ci95 ?? null])) as Record<
            MetricKey,
            readonly [number, number] | null
          >)
        : null,
    };
  });
}

export function find(aggs: readonly Aggregate[], task: string, method: MethodId): Aggregate | undefined {
  return aggs.find((a) => a.task === task && a.method === method);
}
