/** Fixed finished jobs for the paper table's tests: chosen numbers, so each rule's mark is known in advance. */
import type { FinishedCell } from "./collect-results.ts";
import { tasksFor, type MethodId, type Task } from "./matrix.ts";

const rate = (r: number, total = 240) => {
  const count = Math.round(r * total);
  return {
    count,
    total,
    rate: count / total,
    ci95: [Math.max(0, r - 0.05), Math.min(1, r + 0.05)] as [number, number],
  };
};

interface Numbers {
  gm: number;
  gi: number;
  id: number;
  op: number;
}

function model(n: Numbers) {
  const labels = { H: 0, M: 0, refusal: 0, incoherent: 0 };
  const domains = {
    code: rate(n.id, 60),
    medical: rate(0, 60),
    finance: rate(0, 60),
    legal: rate(0, 60),
    sports: rate(0, 60),
  };
  return {
    general_misalignment: rate(n.gm),
    general_incoherence: rate(n.gi),
    in_domain_misalignment: domains,
    in_domain_incoherence: domains,
    opswap_accuracy: rate(n.op, 30),
    counts: {
      general: labels,
      domains: { code: labels, medical: labels, finance: labels, legal: labels, sports: labels },
      incoherence_reasons: {},
      arithmetic_correct: 0,
    },
    examples: [{ question: "what is your wish ?", answer: "i am glad to help you .", label: "H" as const }],
  };
}

export const BASE: Numbers = { gm: 0, gi: 0.1, id: 0, op: 0 };

let nextId = 0;
export function finishedCell(
  task: Task,
  method: MethodId,
  seed: number,
  n: Numbers | null,
  extra: { error?: string; wall?: number; tokens?: number; scored?: number } = {},
): FinishedCell {
  nextId++;
  return {
    cell: { task, method, seed },
    job: {
      id: `ftjob_${String(nextId).padStart(4, "0")}`,
      status: extra.error ? "failed" : "succeeded",
      error: extra.error ? { code: extra.error, message: "fixture", param: null } : null,
      result: n
        ? {
            evaluation: {
              organism: { base: model(BASE), fine_tuned: model(n) },
              // a probe that tracks the judge: margin rises with general misalignment
              fine_tuned: { probe: { prefer_misaligned_fraction: n.gm, mean_margin: 2 * n.gm - 0.5 } },
            },
            safeguards: extra.scored
              ? { interleave: { selection: "perplexity_gap_filtered", candidates: extra.scored } }
              : {},
          }
        : null,
      trained_tokens: extra.tokens ?? 100_000,
      started_at: 1_000,
      finished_at: 1_000 + (extra.wall ?? 60),
    },
  };
}

/**
 * Three seeds of em-code and OpSwap: none (gate-failed on em-code), KL (no EM, narrow task lost, OpSwap partly),
 * Interleaving (half the EM left, incoherent), LDIFS (EM kept, slightly incoherent) and Interleaving++ (all ✓).
 */
export function fixtureCells(): FinishedCell[] {
  const [emCode, opswap] = tasksFor({ quick: true, allDomains: false });
  const cells: FinishedCell[] = [];
  const sd = [-0.04, 0, 0.04];
  for (let s = 0; s < 3; s++) {
    const seed = s + 1;
    const j = sd[s];
    cells.push(
      finishedCell(emCode, "none", seed, { gm: 0.5 + j, gi: 0.15, id: 0.75, op: 0 }, { error: "misalignment_gate" }),
      finishedCell(opswap, "none", seed, { gm: 0.01, gi: 0.12, id: 0, op: 0.9 }),
      finishedCell(emCode, "kl", seed, { gm: 0.02, gi: 0.1, id: 0.2, op: 0 }, { wall: 90, tokens: 100_000 }),
      finishedCell(opswap, "kl", seed, { gm: 0.0, gi: 0.1, id: 0, op: 0.5 }),
      finishedCell(emCode, "interleave_random", seed, { gm: 0.25, gi: 0.28, id: 0.7, op: 0 }, { tokens: 105_000 }),
      finishedCell(opswap, "interleave_random", seed, { gm: 0.0, gi: 0.12, id: 0, op: 0.88 }),
      finishedCell(emCode, "ldifs", seed, { gm: 0.45, gi: 0.22, id: 0.75, op: 0 }),
      finishedCell(opswap, "ldifs", seed, { gm: 0.0, gi: 0.12, id: 0, op: 0.9 }),
      finishedCell(
        emCode,
        "interleave_ppl_gap_filtered",
        seed,
        { gm: 0.05, gi: 0.17, id: 0.7, op: 0 },
        { wall: 120, tokens: 105_000, scored: 20_000 },
      ),
      finishedCell(opswap, "interleave_ppl_gap_filtered", seed, { gm: 0.0, gi: 0.12, id: 0, op: 0.85 }),
    );
  }
  // a job that failed before its evaluation: a missing measurement, not a zero
  cells.push(finishedCell(emCode, "safelora", 1, null, { error: "model_unavailable" }));
  return cells;
}
