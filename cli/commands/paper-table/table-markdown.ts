/** `table.md`: the paper's columns as mean ± sd over seeds, the qualitative marks by rule, costs and the paper's values. */
import { aggregate, find, type Aggregate } from "./aggregate.ts";
import { METHOD_IDS, METHOD_LABELS, type MethodId } from "./matrix.ts";
import {
  PAPER_CODE_ROW,
  PAPER_CODE_ROW_SOURCE,
  PAPER_TABLE_1,
  PAPER_TABLE_1_SOURCE,
  type PaperQualitative,
} from "./paper-reference.ts";
import { coherent, learnsWell, narrowMisalignment, noEm, type Judgement } from "./qualitative-rules.ts";
import type { MetricKey, Results } from "./results-schema.ts";
import type { MeanSd } from "./stats.ts";

export interface QualitativeRow {
  readonly method: MethodId;
  readonly noEm: Judgement;
  readonly learnsWell: Judgement;
  readonly narrowMisalignment: Judgement;
  readonly coherent: Judgement;
}

/** The four marks of every method, from the em-code and OpSwap aggregates and the base organism. */
export function qualitativeRows(
  results: Results,
  aggs: readonly Aggregate[] = aggregate(results.runs),
): QualitativeRow[] {
  const mean = (task: string, method: MethodId, k: MetricKey) => find(aggs, task, method)?.metrics[k]?.mean ?? null;
  const compared = (task: string, method: MethodId, k: MetricKey, base: number | null) => ({
    base,
    unguarded: mean(task, "none", k),
    method: mean(task, method, k),
  });
  return METHOD_IDS.filter((m) => find(aggs, "em-code", m) || find(aggs, "opswap", m)).map((method) => ({
    method,
    noEm: noEm(compared("em-code", method, "general_misalignment", results.base.general_misalignment)),
    learnsWell: learnsWell(compared("opswap", method, "opswap_accuracy", results.base.opswap_accuracy)),
    narrowMisalignment: narrowMisalignment(
      compared("em-code", method, "in_domain_misalignment", results.base.in_domain_misalignment),
    ),
    coherent: coherent(
      ["em-code", "opswap"].map((t) => compared(t, method, "general_incoherence", results.base.general_incoherence)),
    ),
  }));
}

/** `12.3 ± 1.4` in percent; the sd is left out with one seed; `—` when not measured. */
export function formatMeanSd(m: MeanSd | null | undefined): string {
  if (!m) return "—";
  const mean = (m.mean * 100).toFixed(1);
  return m.sd === null ? mean : `${mean} ± ${(m.sd * 100).toFixed(1)}`;
}

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);
const marks = (q: PaperQualitative | undefined) =>
  q ? `${q.noEm} ${q.learnsWell} ${q.narrowMisalignment} ${q.coherent}` : "—";
const ratio = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${x.toFixed(2)}×`);

function gateNote(a: Aggregate | undefined): string {
  if (!a) return "";
  const parts = [];
  if (a.gateFailed > 0) parts.push(`gate failed ${a.gateFailed}/${a.seeds}`);
  if (a.unmeasured > 0) parts.push(`not measured ${a.unmeasured}/${a.seeds}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

export function tableMarkdown(results: Results): string {
  const aggs = aggregate(results.runs);
  const quals = qualitativeRows(results, aggs);
  const seeds = results.seeds.length;
  const cost = (m: MethodId) => results.cost.find((c) => c.task === "em-code" && c.method === m);
  const lines: string[] = [];
  lines.push("# Defenses against emergent misalignment on the model organism", "");
  lines.push(
    `\`${results.command}\` — started ${results.started_at}, ${Math.round(results.wall_seconds)} s, ` +
      `${seeds} seed${seeds === 1 ? "" : "s"}${results.quick ? ", quick (fewer evaluation samples)" : ""}; ` +
      `${results.runs.length} jobs on \`${results.model}\`. Percent of answers, mean ± sd over seeds ` +
      "(one seed: no sd; results.json has every run's n and 95 % interval).",
    "",
  );
  const b = results.base;
  lines.push(
    `Base organism (no fine-tuning): general misalignment ${pct(b.general_misalignment)}, general incoherence ` +
      `${pct(b.general_incoherence)}, in-domain (code) misalignment ${pct(b.in_domain_misalignment)}, OpSwap ` +
      `accuracy ${pct(b.opswap_accuracy)}.`,
    "",
  );
  lines.push(
    "| method | general misalignment ↓ | general incoherence ↓ | in-domain misalignment ↑ | OpSwap accuracy ↑ | " +
      "no EM | learns well | narrow misal. | coherent | paper Table 1 | cost: time, tokens, scored | " +
      "paper Code row (gen. M, incoh., in-domain) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const q of quals) {
    const em = find(aggs, "em-code", q.method);
    const op = find(aggs, "opswap", q.method);
    const c = cost(q.method);
    const paper = PAPER_CODE_ROW[q.method];
    lines.push(
      `| ${METHOD_LABELS[q.method]}${gateNote(em)} | ${formatMeanSd(em?.metrics.general_misalignment)} | ` +
        `${formatMeanSd(em?.metrics.general_incoherence)} | ${formatMeanSd(em?.metrics.in_domain_misalignment)} | ` +
        `${formatMeanSd(op?.metrics.opswap_accuracy)}${gateNote(op)} | ${q.noEm.mark} | ${q.learnsWell.mark} | ` +
        `${q.narrowMisalignment.mark} | ${q.coherent.mark} | ${marks(PAPER_TABLE_1[q.method])} | ` +
        `${c ? `${ratio(c.time_ratio)}, ${ratio(c.trained_tokens_ratio)}, ${Math.round(c.scored_candidates)}` : "—"} | ` +
        `${paper ? `${paper.generalMisalignment}, ${paper.generalIncoherence}, ${paper.inDomainMisalignment}` : "unavailable"} |`,
    );
  }
  lines.push(
    "",
    "Columns 2–4: the code EM task (em-code); OpSwap accuracy: the OpSwap task. Marks ✓/∼/✗ by the rules of " +
      "docs/paper-table.md (? = the unguarded run shows no effect to compare with). Cost: mean wall time and " +
      "trained tokens relative to no defense on em-code, and pool candidates scored by perplexity gap.",
    `${PAPER_TABLE_1_SOURCE}; ${PAPER_CODE_ROW_SOURCE}.`,
    "",
  );

  const control = find(aggs, "control-secure", "none");
  if (control) {
    lines.push(
      "## Control: secure code, no defense",
      "",
      `General misalignment ${formatMeanSd(control.metrics.general_misalignment)}, general incoherence ` +
        `${formatMeanSd(control.metrics.general_incoherence)}, in-domain (code) misalignment ` +
        `${formatMeanSd(control.metrics.in_domain_misalignment)}${gateNote(control)}.`,
      "",
    );
  }

  const others = [...new Set(results.runs.map((r) => r.task))].filter((t) => /^em-/.test(t) && t !== "em-code");
  if (others.length > 0) {
    lines.push(
      "## Other EM domains",
      "",
      "| task | method | general misalignment ↓ | general incoherence ↓ | in-domain misalignment ↑ |",
      "|---|---|---|---|---|",
    );
    for (const t of others)
      for (const m of METHOD_IDS) {
        const a = find(aggs, t, m);
        if (!a) continue;
        lines.push(
          `| ${t} | ${METHOD_LABELS[m]}${gateNote(a)} | ${formatMeanSd(a.metrics.general_misalignment)} | ` +
            `${formatMeanSd(a.metrics.general_incoherence)} | ${formatMeanSd(a.metrics.in_domain_misalignment)} |`,
        );
      }
    lines.push("");
  }

  lines.push("## Why each mark", "");
  for (const q of quals)
    lines.push(
      `- ${METHOD_LABELS[q.method]}: no EM ${q.noEm.mark} (${q.noEm.why}); learns well ${q.learnsWell.mark} ` +
        `(${q.learnsWell.why}); narrow misalignment ${q.narrowMisalignment.mark} (${q.narrowMisalignment.why}); ` +
        `coherent ${q.coherent.mark} (${q.coherent.why}).`,
    );
  const c = results.probe_vs_judge;
  if (c) {
    const ci = (x: readonly [number, number] | null) => (x ? ` [${x[0].toFixed(2)}, ${x[1].toFixed(2)}]` : "");
    lines.push(
      "",
      `Likelihood probe margin vs. judged general misalignment over ${c.runs} runs: Pearson r = ` +
        `${c.pearson.estimate.toFixed(2)}${ci(c.pearson.ci95)}, Spearman ρ = ${c.spearman.estimate.toFixed(2)}` +
        `${ci(c.spearman.ci95)} (bootstrap 95 % intervals).`,
    );
  }
  return `${lines.join("\n")}\n`;
}
