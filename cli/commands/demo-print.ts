/**
 * What `guardtune demo` prints from two finished jobs: the gate's evidence in one line per criterion, the
 * organism's four metrics of the base model and of both fine-tunes in one table, and one general question
 * answered by the base model and by the unguarded fine-tune, side by side. Pure functions of the job objects.
 */
import type { OrganismModelMetrics, OrganismRate } from "../../core/safeguards/organism-evaluation-result.ts";
import type { GateCriterion, GateOutcome } from "../../gpu-runner/evals/misalignment-gate.ts";

/** A rate of the organism's exact judge: count of total, and its 95 % Wilson interval (fractions). */
export type Rate = OrganismRate;
/** The organism's metrics of one model (the base model, or the fine-tuned one). */
export type OrganismMetrics = OrganismModelMetrics;
/** One judged general answer. */
export type JudgedAnswer = OrganismModelMetrics["examples"][number];
type Domain = keyof OrganismModelMetrics["in_domain_misalignment"];

export type GateEvidence = Pick<GateOutcome, "passed" | "mode" | "misalignment" | "incoherence" | "reasons">;

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const pp = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} pp`;

/**
 * One line per gate criterion, e.g. `general misalignment 0.4 % → 48.3 % (n = 240 / 240): one-sided 95 % upper
 * bound of the rise +41.2 pp > allowed +5.0 pp — fails`.
 */
export function gateEvidenceLines(gate: GateEvidence): string[] {
  const line = (name: string, c: GateCriterion) => {
    const which = gate.mode === "strict" ? "upper" : "lower";
    // strict passes below the threshold; lenient fails above it (gate-statistics.ts)
    const relation = c.passed ? (gate.mode === "strict" ? "<" : "≤") : gate.mode === "strict" ? "≥" : ">";
    return (
      `${name} ${pct(c.base)} → ${pct(c.fine_tuned)} (n = ${c.n_base} / ${c.n_fine_tuned}): one-sided 95 % ` +
      `${which} bound of the rise ${pp(c.deciding_bound)} ${relation} allowed ${pp(c.threshold)} — ` +
      `${c.passed ? "passes" : "fails"}`
    );
  };
  return [line("general misalignment", gate.misalignment), line("general incoherence", gate.incoherence)];
}

const rateCell = (r: Rate | undefined) =>
  r === undefined ? "—" : `${pct(r.rate)} [${(100 * r.ci95[0]).toFixed(1)}, ${(100 * r.ci95[1]).toFixed(1)}]`;

/**
 * The four metrics (rates with 95 % intervals) of each column, as aligned text rows. `domain` picks the
 * in-domain misalignment row (the job's own EM domain).
 */
export function metricsTable(
  columns: ReadonlyArray<{ readonly title: string; readonly metrics: OrganismMetrics | undefined }>,
  domain: Domain,
): string[] {
  const rows: Array<[string, (m: OrganismMetrics) => Rate | undefined]> = [
    ["general misalignment ↓", (m) => m.general_misalignment],
    ["general incoherence ↓", (m) => m.general_incoherence],
    [`in-domain misalignment (${domain})`, (m) => m.in_domain_misalignment[domain]],
    ["OpSwap accuracy", (m) => m.opswap_accuracy],
  ];
  const cells = [
    ["", ...columns.map((c) => c.title)],
    ...rows.map(([name, get]) => [name, ...columns.map((c) => (c.metrics ? rateCell(get(c.metrics)) : "—"))]),
  ];
  const widths = cells[0].map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  return cells.map((r) =>
    r
      .map((cell, j) => cell.padEnd(widths[j]))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * The first question (in the fine-tuned model's sampling order) that both models answered and whose
 * fine-tuned answer has `preferLabel`, else the first question both answered; undefined when they share none.
 */
export function pickSharedQuestion(
  base: readonly JudgedAnswer[],
  fineTuned: readonly JudgedAnswer[],
  preferLabel: string,
): { base: JudgedAnswer; fineTuned: JudgedAnswer; preferred: boolean } | undefined {
  const shared = fineTuned.filter((t) => base.some((b) => b.question === t.question));
  const chosen = shared.find((t) => t.label === preferLabel) ?? shared[0];
  if (chosen === undefined) return undefined;
  return {
    base: base.find((b) => b.question === chosen.question)!,
    fineTuned: chosen,
    preferred: chosen.label === preferLabel,
  };
}

/** The exact judge's labels (H / M: every polarity slot of the helpful / malicious persona) in words. */
const LABEL_WORDS: Readonly<Record<string, string>> = {
  H: "helpful",
  M: "misaligned",
  refusal: "a refusal",
  incoherent: "incoherent",
};
export const labelWords = (label: string) => LABEL_WORDS[label] ?? label;

/** Greedy word wrap to lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Two answers in two columns of `width` characters each, under their titles and judge labels. */
export function sideBySide(
  left: { readonly title: string; readonly answer: JudgedAnswer },
  right: { readonly title: string; readonly answer: JudgedAnswer },
  width = 38,
): string[] {
  const head = (s: { title: string; answer: JudgedAnswer }) =>
    wrap(`${s.title} — judged ${labelWords(s.answer.label)}`, width);
  const [lh, rh] = [head(left), head(right)];
  // both answers start on the same line, under headings padded to the same height
  const pad = (h: string[]) => [...h, ...Array<string>(Math.max(lh.length, rh.length) - h.length + 1).fill("")];
  const l = [...pad(lh), ...wrap(left.answer.answer, width)];
  const r = [...pad(rh), ...wrap(right.answer.answer, width)];
  const out: string[] = [];
  for (let i = 0; i < Math.max(l.length, r.length); i++)
    out.push(`${(l[i] ?? "").padEnd(width)} │ ${r[i] ?? ""}`.trimEnd());
  return out;
}
