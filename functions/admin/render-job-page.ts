import type { JobEvent } from "../../core/db/schema.ts";
import { escapeHtml, formatCount, formatSeconds, formatTime, statusBadge, table, type ColumnSpec } from "./html-kit.ts";
import { readJobResult } from "./job-result-shape.ts";
import type { JobDetail } from "./load-job-detail.ts";
import { renderEvaluation } from "./render-job-evaluation.ts";
import { lineChart } from "./svg-line-chart.ts";

type Artifact = JobDetail["artifacts"][number];

const EVENT_COLUMNS: ReadonlyArray<ColumnSpec<JobEvent>> = [
  { label: "#", cell: (e) => String(e.seq), numeric: true },
  { label: "time (UTC)", cell: (e) => formatTime(e.createdAt) },
  { label: "level", cell: (e) => e.level },
  { label: "type", cell: (e) => e.type },
  { label: "step", cell: (e) => (e.step === null ? "" : String(e.step)), numeric: true },
  { label: "message", cell: (e) => e.message },
];

const ARTIFACT_COLUMNS: ReadonlyArray<ColumnSpec<Artifact>> = [
  { label: "kind", cell: (a) => a.kind },
  { label: "file", cell: (a) => a.filename },
  { label: "bytes", cell: (a) => formatCount(a.bytes), numeric: true },
  { label: "sha256", cell: (a) => a.sha256 ?? "—" },
  { label: "availability", cell: (a) => (a.withheld ? "withheld (misalignment gate)" : "available") },
];

const seconds = (from: Date | null, to: Date | null) => (from && to ? (to.getTime() - from.getTime()) / 1000 : null);

/** The loss per step: the result's full curve once the job ended, else the metrics events so far. */
function lossPoints(d: JobDetail, losses: number[] | undefined): [number, number][] {
  if (losses?.length) return losses.map((l, i) => [i + 1, l]);
  return d.events
    .filter((e) => e.type === "metrics" && typeof e.data.loss === "number" && e.step !== null)
    .map((e) => [e.step!, e.data.loss as number]);
}

/** The `#live` region of a job page. */
export function renderJobLive(d: JobDetail): string {
  const j = d.job;
  const r = readJobResult(j.result);
  const points = lossPoints(d, r.metrics?.losses);
  const safeguards = j.config.safeguards.map((s) => s.type);
  const lastStep = points.at(-1)?.[0] ?? 1;
  const loss = lineChart({
    id: "chart-loss",
    title: "Training loss per step",
    series: [{ name: "loss", points }],
    xStart: points[0]?.[0] ?? 0,
    xEnd: Math.max(lastStep, (points[0]?.[0] ?? 0) + 1),
    format: (y) => y.toFixed(2),
    formatX: (x) => `step ${Math.round(x)}`,
  });
  const cut = d.eventCount > d.events.length ? ` (the first ${d.events.length} of ${d.eventCount})` : "";
  return `<h2 class="job-id">${escapeHtml(j.id)} ${statusBadge(j.status)}</h2>
<dl class="facts">
<dt>tenant</dt><dd>${escapeHtml(d.tenantName)} <span class="meta">${escapeHtml(j.tenantId)}</span></dd>
<dt>model</dt><dd>${escapeHtml(j.model)}${j.fineTunedModel ? ` → ${escapeHtml(j.fineTunedModel)}` : ""}</dd>
<dt>safeguards</dt><dd>${escapeHtml(safeguards.length ? safeguards.join(" + ") : "none")}</dd>
<dt>created</dt><dd>${formatTime(j.createdAt)}</dd>
<dt>queue wait</dt><dd>${formatSeconds(seconds(j.queuedAt ?? j.createdAt, j.startedAt))}</dd>
<dt>run time</dt><dd>${formatSeconds(seconds(j.startedAt, j.finishedAt))}${j.finishedAt ? ` (ended ${formatTime(j.finishedAt)})` : ""}</dd>
<dt>trained tokens</dt><dd>${formatCount(j.trainedTokens)}</dd>
<dt>attempts</dt><dd>${formatCount(j.attempts)}</dd>
${j.error ? `<dt>error</dt><dd><code>${escapeHtml(j.error.code)}</code> ${escapeHtml(j.error.message)}</dd>` : ""}
</dl>
<div class="grid">${loss}</div>
${renderEvaluation(r)}
<section aria-labelledby="artifacts-h"><h2 id="artifacts-h">Artifacts</h2>
${table(ARTIFACT_COLUMNS, d.artifacts, "No artifacts.")}</section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline${escapeHtml(cut)}</h2>
${table(EVENT_COLUMNS, d.events, "No events.")}</section>`;
}
