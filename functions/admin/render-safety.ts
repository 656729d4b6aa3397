import { barChart } from "./svg-bar-chart.ts";
import {
  escapeHtml,
  formatCount,
  formatNumber,
  formatPct,
  formatPp,
  formatTime,
  jobLink,
  table,
  type ColumnSpec,
} from "./html-kit.ts";
import type { GatedJobRow, SafetyPanel, SafetyRow, TenantSafetyRow } from "./load-safety.ts";

/*
 * What the safeguards did (last 30 days): misalignment before → after per safeguard type, gate outcomes,
 * the perplexity-gap selection, per-tenant gate results and the latest jobs the gate stopped.
 */

const SAFEGUARD_COLUMNS: ReadonlyArray<ColumnSpec<SafetyRow>> = [
  { label: "safeguard", cell: (r) => r.safeguardType },
  { label: "jobs", cell: (r) => formatCount(r.jobs), numeric: true },
  { label: "gate passed", cell: (r) => formatCount(r.gatePassed), numeric: true },
  { label: "gate failed", cell: (r) => formatCount(r.gateFailed), numeric: true },
  { label: "judge before (mean)", cell: (r) => formatPct(r.judgeMisalignedBeforeMean), numeric: true },
  { label: "judge after (mean)", cell: (r) => formatPct(r.judgeMisalignedAfterMean), numeric: true },
  { label: "judge after (worst)", cell: (r) => formatPct(r.judgeMisalignedAfterWorst), numeric: true },
  {
    label: "rise (mean / worst)",
    cell: (r) => `${formatPp(r.judgeIncreaseMean)} / ${formatPp(r.judgeIncreaseWorst)}`,
    numeric: true,
  },
  {
    label: "incoherence rise (mean / worst)",
    cell: (r) => `${formatPp(r.incoherenceRiseMean)} / ${formatPp(r.incoherenceRiseWorst)}`,
    numeric: true,
  },
  {
    label: "probe before → after",
    cell: (r) => `${formatPct(r.probeMisalignedBeforeMean)} → ${formatPct(r.probeMisalignedAfterMean)}`,
    numeric: true,
  },
];

const PPL_GAP_COLUMNS: ReadonlyArray<ColumnSpec<SafetyRow>> = [
  { label: "safeguard", cell: (r) => r.safeguardType },
  { label: "perplexity-gap jobs", cell: (r) => formatCount(r.pplGapJobs), numeric: true },
  { label: "candidates (mean)", cell: (r) => formatNumber(r.pplGapCandidatesMean, 0), numeric: true },
  { label: "selected (mean)", cell: (r) => formatNumber(r.pplGapSelectedMean, 0), numeric: true },
  { label: "distinct / selected", cell: (r) => formatPct(r.pplGapDistinctRatio), numeric: true },
  { label: "refusals dropped (mean)", cell: (r) => formatNumber(r.pplGapRefusalsDroppedMean, 1), numeric: true },
  { label: "top gap score (mean)", cell: (r) => formatNumber(r.pplGapTopScoreMean, 3), numeric: true },
];

const TENANT_COLUMNS: ReadonlyArray<ColumnSpec<TenantSafetyRow>> = [
  { label: "tenant", cell: (r) => r.tenantName },
  { label: "gated jobs", cell: (r) => formatCount(r.gatedJobs), numeric: true },
  { label: "gate failed", cell: (r) => formatCount(r.gateFailed), numeric: true },
  { label: "adapters withheld", cell: (r) => formatCount(r.adaptersWithheld), numeric: true },
  { label: "worst rise", cell: (r) => formatPp(r.worstIncrease), numeric: true },
  { label: "last gate failure", cell: (r) => formatTime(r.lastGateFailureAt) },
];

const FAILURE_COLUMNS: ReadonlyArray<ColumnSpec<GatedJobRow>> = [
  { label: "job", html: (r) => jobLink(r.jobId) },
  { label: "tenant", cell: (r) => r.tenantName },
  { label: "safeguards", cell: (r) => (r.safeguardTypes.length ? r.safeguardTypes.join(" + ") : "none") },
  { label: "before → after", cell: (r) => `${formatPct(r.before)} → ${formatPct(r.after)}`, numeric: true },
  { label: "allowed rise", cell: (r) => formatPp(r.threshold), numeric: true },
  { label: "adapter", cell: (r) => (r.adapterWithheld ? "withheld" : "released") },
  { label: "finished", cell: (r) => formatTime(r.finishedAt) },
];

export function renderSafety(panel: SafetyPanel): string {
  const rows = panel.bySafeguard;
  const categories = rows.map((r) => r.safeguardType);
  const misalignment = barChart({
    id: "chart-misalignment",
    title: "Judge-rated misaligned answers, before → after fine-tuning (mean)",
    categories,
    series: [
      { name: "base model", values: rows.map((r) => r.judgeMisalignedBeforeMean) },
      { name: "fine-tuned", values: rows.map((r) => r.judgeMisalignedAfterMean) },
      { name: "fine-tuned, worst job", values: rows.map((r) => r.judgeMisalignedAfterWorst) },
    ],
    format: (v) => formatPct(v),
  });
  const gate = barChart({
    id: "chart-gate",
    title: "Misalignment gate outcomes",
    categories,
    series: [
      { name: "passed", values: rows.map((r) => r.gatePassed) },
      { name: "failed", values: rows.map((r) => r.gateFailed) },
    ],
    stacked: true,
    format: (v) => formatCount(v),
  });
  const pplGap = rows.filter((r) => r.pplGapJobs > 0);
  return `<section aria-labelledby="safety-h">
<h2 id="safety-h">Safeguards, last 30 days</h2>
<p class="meta">A job with several safeguards counts under each; "none" is plain fine-tuning. Before = base model
(adapter off), after = fine-tuned; a rise is after − before per job, in percentage points (pp).</p>
<div class="grid">${misalignment}${gate}</div>
${table(SAFEGUARD_COLUMNS, rows, "No evaluated jobs in the last 30 days.", "Per safeguard type")}
<h3>Perplexity-gap selection of interleaved data</h3>
${table(PPL_GAP_COLUMNS, pplGap, "No job selected interleaved data by perplexity gap in the last 30 days.")}
<h3>Gate results per tenant</h3>
${table(TENANT_COLUMNS, panel.tenants, "No gated jobs in the last 30 days.")}
<h3>Latest jobs stopped by the gate</h3>
${table(FAILURE_COLUMNS, panel.recentFailures, "The gate stopped no job in the last 30 days.")}
</section>`;
}

export const safetyHeading = escapeHtml("Safeguards");
