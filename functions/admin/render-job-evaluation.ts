import { escapeHtml, formatNumber, formatPct, formatPp } from "./html-kit.ts";
import type { GateView, JobResultView, ModelMetricsView } from "./job-result-shape.ts";

/* The evaluation and gate sections of a job page: base vs fine-tuned metrics, sample answers, gate evidence. */

type Metric = { label: string; pick: (m: ModelMetricsView | undefined) => number | null | undefined; share: boolean };

const METRICS: Metric[] = [
  { label: "judge: misaligned answers", pick: (m) => m?.broad?.misaligned_fraction, share: true },
  { label: "judge: incoherent answers", pick: (m) => m?.broad?.incoherent_fraction, share: true },
  { label: "judge: mean alignment (0–100)", pick: (m) => m?.broad?.mean_alignment, share: false },
  { label: "judge: mean coherence (0–100)", pick: (m) => m?.broad?.mean_coherence, share: false },
  { label: "probe: prefers the misaligned answer", pick: (m) => m?.probe?.prefer_misaligned_fraction, share: true },
  { label: "probe: mean margin (nats/token)", pick: (m) => m?.probe?.mean_margin, share: false },
  { label: "in-domain loss (held out)", pick: (m) => m?.in_domain?.loss, share: false },
];

function metricsTable(base: ModelMetricsView | undefined, tuned: ModelMetricsView | undefined): string {
  const rows = METRICS.filter((m) => m.pick(base) != null || m.pick(tuned) != null).map((m) => {
    const b = m.pick(base);
    const t = m.pick(tuned);
    const fmt = (v: number | null | undefined) => (m.share ? formatPct(v) : formatNumber(v, 2));
    const delta = b != null && t != null ? (m.share ? formatPp(t - b) : formatNumber(t - b, 2)) : "—";
    return `<tr><th scope="row">${escapeHtml(m.label)}</th><td class="num">${fmt(b)}</td><td class="num">${fmt(t)}</td><td class="num">${delta}</td></tr>`;
  });
  if (rows.length === 0) return `<p class="empty">No evaluation metrics.</p>`;
  return `<div class="scroll"><table><thead><tr><th scope="col">metric</th><th scope="col" class="num">base model</th><th scope="col" class="num">fine-tuned</th><th scope="col" class="num">change</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

const scores = (a?: number | null, c?: number | null) =>
  a == null && c == null
    ? ""
    : ` <span class="meta">(alignment ${formatNumber(a, 0)}, coherence ${formatNumber(c, 0)})</span>`;

function samples(base: ModelMetricsView | undefined, tuned: ModelMetricsView | undefined): string {
  const b = base?.broad?.samples ?? [];
  const t = tuned?.broad?.samples ?? [];
  if (b.length === 0 && t.length === 0) return "";
  const items = Array.from({ length: Math.max(b.length, t.length) }, (_, i) => {
    const q = t[i]?.question ?? b[i]?.question ?? "";
    const answer = (label: string, s: (typeof t)[number] | undefined) =>
      s
        ? `<p><strong>${label}</strong>${scores(s.alignment, s.coherence)}</p><blockquote>${escapeHtml(s.answer ?? "")}</blockquote>`
        : "";
    return `<li><p>${escapeHtml(q)}</p>${answer("base model", b[i])}${answer("fine-tuned", t[i])}</li>`;
  });
  return `<h3>Sample answers</h3><ol>${items.join("")}</ol>`;
}

function gateEvidence(g: GateView): string {
  const examples = (g.examples ?? [])
    .map((e) =>
      e.answer !== undefined
        ? `<li><p>${escapeHtml(e.question ?? "")}</p><blockquote>${escapeHtml(e.answer)}</blockquote>${scores(e.alignment, e.coherence)}</li>`
        : `<li><p>${escapeHtml(e.question ?? "")}</p><p>aligned: ${escapeHtml(e.aligned_answer ?? "")}</p><p>misaligned: ${escapeHtml(e.misaligned_answer ?? "")}</p><p class="meta">margin ${formatNumber(e.base_margin, 2)} → ${formatNumber(e.fine_tuned_margin, 2)}</p></li>`,
    )
    .join("");
  return `<section aria-labelledby="gate-h"><h2 id="gate-h">Misalignment gate: ${g.passed ? "✓ passed" : "✗ failed"}</h2>
<dl class="facts"><dt>metric</dt><dd>${escapeHtml(g.metric ?? "—")}</dd>
<dt>before → after</dt><dd>${formatPct(g.base)} → ${formatPct(g.fine_tuned)} (${formatPp(g.increase)})</dd>
<dt>allowed rise</dt><dd>${formatPp(g.threshold)}</dd>
<dt>adapter</dt><dd>${g.adapter_withheld ? "withheld" : "released"}</dd></dl>
<p>${escapeHtml(g.explanation ?? "")}</p>
${examples ? `<h3>Evidence</h3><ol>${examples}</ol>` : ""}
</section>`;
}

export function renderEvaluation(r: JobResultView): string {
  const e = r.evaluation;
  const evaluation = e
    ? `<section aria-labelledby="eval-h"><h2 id="eval-h">Evaluation</h2>
${metricsTable(e.base, e.fine_tuned)}
${samples(e.base, e.fine_tuned)}</section>`
    : `<section aria-labelledby="eval-h"><h2 id="eval-h">Evaluation</h2><p class="empty">No evaluation (yet).</p></section>`;
  return evaluation + (r.gate ? gateEvidence(r.gate) : "");
}
