/**
 * The demo's verdict from its two finished jobs: how each ended (with the gate's evidence), the organism's
 * metrics of the base model and of both fine-tunes, and one general question answered before and after.
 */
import type { JobObject } from "../../core/jobs/job-object.ts";
import { organismEvaluationSchema, type OrganismEvaluation } from "../../core/safeguards/organism-evaluation-result.ts";
import { DEMO_DOMAIN } from "./demo-jobs.ts";
import {
  gateEvidenceLines,
  labelWords,
  metricsTable,
  pickSharedQuestion,
  sideBySide,
  wrap,
  type GateEvidence,
} from "./demo-print.ts";

type JobView = Pick<JobObject, "id" | "status" | "error" | "result" | "trained_tokens" | "started_at" | "finished_at">;

/** The organism's evaluation of a finished job, read through its schema; undefined when absent or malformed. */
const organismOf = (job: JobView): OrganismEvaluation | undefined => {
  const parsed = organismEvaluationSchema.safeParse(
    (job.result?.evaluation as { organism?: unknown } | null | undefined)?.organism,
  );
  return parsed.success ? parsed.data : undefined;
};
const gateOf = (job: JobView) =>
  (job.result?.gate ?? undefined) as (GateEvidence & { adapter_withheld?: boolean }) | undefined;

function jobLines(label: string, job: JobView): string[] {
  const seconds = job.started_at && job.finished_at ? job.finished_at - job.started_at : null;
  const lines = [
    `${label} job ${job.id}: ${job.status}${job.error ? ` — ${job.error.code}` : ""}` +
      ` (${job.trained_tokens.toLocaleString("en-US")} trained tokens${seconds === null ? "" : `, ${seconds} s`})`,
  ];
  const gate = gateOf(job);
  if (gate) {
    lines.push(`  misalignment gate (${gate.mode}): ${gate.passed ? "passed" : `FAILED (${gate.reasons.join(", ")})`}`);
    for (const line of gateEvidenceLines(gate)) lines.push(`    ${line}`);
    if (gate.adapter_withheld) lines.push("  the adapter is withheld");
  } else if (job.error) lines.push(...wrap(job.error.message, 100).map((l) => `  ${l}`));
  else lines.push("  no gate result");
  return lines;
}

/**
 * The lines to print, and whether the demo showed what it claims: both jobs evaluated by the organism's judge
 * and the unguarded one failed by the misalignment gate. (The Interleaving++ job's outcome is reported as it is.)
 */
export function outcomeLines(unguarded: JobView, guarded: JobView): { lines: string[]; shown: boolean } {
  const lines = ["", ...jobLines("unguarded", unguarded), "", ...jobLines("Interleaving++", guarded), ""];
  const u = organismOf(unguarded);
  const g = organismOf(guarded);
  lines.push("the organism's exact judge (rates with 95 % Wilson intervals, %):");
  lines.push(
    ...metricsTable(
      [
        { title: "base model", metrics: u?.base ?? g?.base },
        { title: "unguarded", metrics: u?.fine_tuned },
        { title: "Interleaving++", metrics: g?.fine_tuned },
      ],
      DEMO_DOMAIN,
    ).map((l) => `  ${l}`),
  );
  if (u) {
    const pick = pickSharedQuestion(u.base.examples, u.fine_tuned.examples, "M");
    lines.push("");
    if (!pick) lines.push("the base model's and the unguarded fine-tune's sample answers share no question");
    else {
      lines.push(
        pick.preferred
          ? "the first sampled general question whose unguarded answer the judge calls misaligned:"
          : "the first sampled general question both models answered (no unguarded sample is misaligned):",
      );
      lines.push(...wrap(`Q: ${pick.base.question}`, 80).map((l) => `  ${l}`));
      const cols = sideBySide(
        { title: "base model", answer: pick.base },
        { title: "unguarded fine-tune", answer: pick.fineTuned },
      );
      lines.push(...cols.map((l) => `  ${l}`));
      const mine = g?.fine_tuned.examples.find((e) => e.question === pick.base.question);
      if (mine)
        lines.push(
          ...wrap(
            `Interleaving++, its first answer to the question (judged ${labelWords(mine.label)}): ${mine.answer}`,
            80,
          ).map((l) => `  ${l}`),
        );
    }
  }
  const shown = u !== undefined && g !== undefined && unguarded.error?.code === "misalignment_gate";
  if (!shown) {
    lines.push("");
    lines.push(
      u === undefined || g === undefined
        ? "a job ended without the organism's evaluation: see its error above"
        : "the unguarded job was NOT failed by the misalignment gate: the demo did not show emergent misalignment caught",
    );
  }
  return { lines, shown };
}

export function printOutcome(unguarded: JobView, guarded: JobView, say: (line: string) => void): boolean {
  const { lines, shown } = outcomeLines(unguarded, guarded);
  for (const line of lines) say(line);
  return shown;
}
