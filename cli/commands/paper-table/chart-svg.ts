/**
 * `chart.svg`: grouped bars, one group per method and one bar per metric (percent), with error bars: ±1 sd over
 * seeds, or the run's 95 % interval when there is one seed. A standalone SVG a browser opens directly.
 */
import { aggregate, find, type Aggregate } from "./aggregate.ts";
import { METHOD_IDS, METHOD_LABELS } from "./matrix.ts";
import type { MetricKey, Results } from "./results-schema.ts";

/** Each bar: its metric, the task it is measured on, its label and colour. */
export const CHART_BARS: readonly { key: MetricKey; task: string; label: string; color: string }[] = [
  { key: "general_misalignment", task: "em-code", label: "general misalignment ↓ (code EM)", color: "#d62728" },
  { key: "general_incoherence", task: "em-code", label: "general incoherence ↓ (code EM)", color: "#7f7f7f" },
  { key: "in_domain_misalignment", task: "em-code", label: "in-domain misalignment ↑ (code EM)", color: "#ff7f0e" },
  { key: "opswap_accuracy", task: "opswap", label: "OpSwap accuracy ↑ (OpSwap)", color: "#1f77b4" },
];

const BAR = 18;
const GROUP_GAP = 26;
const PLOT_H = 300;
const LEFT = 56;
const TOP = 40;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** [low, high] of a bar's error bar, fractions; null when there is none. */
function errorBar(a: Aggregate, key: MetricKey): readonly [number, number] | null {
  const m = a.metrics[key];
  if (!m) return null;
  if (m.sd !== null) return [Math.max(0, m.mean - m.sd), Math.min(1, m.mean + m.sd)];
  return a.singleRunCi?.[key] ?? null;
}

export function chartSvg(results: Results): string {
  const aggs = aggregate(results.runs);
  const methods = METHOD_IDS.filter((m) => CHART_BARS.some((b) => find(aggs, b.task, m)));
  const groupW = CHART_BARS.length * BAR + GROUP_GAP;
  const width = LEFT + methods.length * groupW + 20;
  const legendY = TOP + PLOT_H + 70;
  const height = legendY + CHART_BARS.length * 18 + 16;
  const y = (f: number) => TOP + PLOT_H * (1 - f);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${esc(
      `Defenses on the model organism (${results.seeds.length} seed${results.seeds.length === 1 ? "" : "s"}; error bars: ${results.seeds.length > 1 ? "±1 sd" : "95 % interval"})`,
    )}</text>`,
  );
  for (let t = 0; t <= 100; t += 20) {
    out.push(
      `<line x1="${LEFT}" x2="${width - 20}" y1="${y(t / 100)}" y2="${y(t / 100)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 6}" y="${y(t / 100) + 4}" text-anchor="end">${t} %</text>`,
    );
  }
  methods.forEach((method, g) => {
    const x0 = LEFT + GROUP_GAP / 2 + g * groupW;
    let drawn = 0;
    CHART_BARS.forEach((bar, i) => {
      const a = find(aggs, bar.task, method);
      const m = a?.metrics[bar.key];
      if (!a || !m) return;
      drawn++;
      const x = x0 + i * BAR;
      out.push(
        `<rect class="bar" data-method="${method}" data-metric="${bar.key}" x="${x}" y="${y(m.mean)}" width="${BAR - 2}" height="${Math.max(0, PLOT_H * m.mean)}" fill="${bar.color}"><title>${esc(`${METHOD_LABELS[method]} — ${bar.label}: ${(m.mean * 100).toFixed(1)} %`)}</title></rect>`,
      );
      const e = errorBar(a, bar.key);
      if (e) {
        const cx = x + (BAR - 2) / 2;
        out.push(
          `<path class="error" d="M${cx} ${y(e[1])}V${y(e[0])}M${cx - 4} ${y(e[1])}h8M${cx - 4} ${y(e[0])}h8" stroke="#000" stroke-width="1"/>`,
        );
      }
    });
    // a method whose jobs all failed before measuring: said, not drawn as zero
    if (drawn === 0)
      out.push(
        `<text x="${x0 + (CHART_BARS.length * BAR) / 2}" y="${y(0.05)}" text-anchor="middle" fill="#666">not measured</text>`,
      );
    out.push(
      `<text x="${x0 + (CHART_BARS.length * BAR) / 2}" y="${TOP + PLOT_H + 16}" text-anchor="end" transform="rotate(-30 ${x0 + (CHART_BARS.length * BAR) / 2} ${TOP + PLOT_H + 16})">${esc(METHOD_LABELS[method])}</text>`,
    );
  });
  out.push(`<line x1="${LEFT}" x2="${width - 20}" y1="${y(0)}" y2="${y(0)}" stroke="#000"/>`);
  CHART_BARS.forEach((bar, i) => {
    const ly = legendY + i * 18;
    out.push(
      `<rect x="${LEFT}" y="${ly - 10}" width="12" height="12" fill="${bar.color}"/>`,
      `<text x="${LEFT + 18}" y="${ly}">${esc(bar.label)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
