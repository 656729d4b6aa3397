import { escapeHtml } from "./html-kit.ts";
import { niceCeil } from "./svg-line-chart.ts";

/*
 * Horizontal bar charts for the safety panel: one row per category (a safeguard type), either grouped bars
 * (before / after) or one stacked bar (gate passed / failed). Each bar carries its value as text too.
 */

export interface BarChartOptions {
  id: string;
  title: string;
  categories: readonly string[];
  series: readonly { name: string; values: readonly (number | null)[] }[];
  stacked?: boolean;
  format: (v: number) => string;
}

const W = 600;
const LEFT = 120;
const RIGHT = 64;
const BAR = 12;

export function barChart(o: BarChartOptions): string {
  const n = o.series.length;
  const rowH = o.stacked ? BAR + 14 : n * (BAR + 3) + 12;
  const H = 8 + o.categories.length * rowH;
  const totals = o.categories.map((_, c) =>
    o.stacked
      ? o.series.reduce((a, s) => a + (s.values[c] ?? 0), 0)
      : Math.max(0, ...o.series.map((s) => s.values[c] ?? 0)),
  );
  const max = niceCeil(Math.max(0, ...totals));
  const scale = (v: number) => (v / max) * (W - LEFT - RIGHT);
  const rows: string[] = [];
  let drawn = 0;
  o.categories.forEach((cat, c) => {
    const top = 8 + c * rowH;
    rows.push(`<text x="${LEFT - 8}" y="${top + 12}" text-anchor="end">${escapeHtml(cat)}</text>`);
    let offset = 0;
    o.series.forEach((s, i) => {
      const v = s.values[c];
      if (v === null || v === undefined) return;
      const w = scale(v);
      const yBar = o.stacked ? top : top + i * (BAR + 3);
      const xBar = LEFT + (o.stacked ? offset : 0);
      const label = `${s.name}: ${o.format(v)}`;
      if (w > 0) drawn += 1;
      rows.push(
        `<rect class="s${i}" x="${xBar.toFixed(1)}" y="${yBar}" width="${Math.max(w, 0.5).toFixed(1)}" height="${BAR}"><title>${escapeHtml(`${cat} — ${label}`)}</title></rect>`,
      );
      if (!o.stacked)
        rows.push(`<text x="${(xBar + w + 4).toFixed(1)}" y="${yBar + 10}">${escapeHtml(o.format(v))}</text>`);
      offset += w;
    });
    if (o.stacked)
      rows.push(
        `<text x="${(LEFT + offset + 4).toFixed(1)}" y="${top + 10}">${escapeHtml(o.format(totals[c]))}</text>`,
      );
  });
  const legend = o.series
    .map(
      (s, i) =>
        `<li><svg width="12" height="12" aria-hidden="true"><rect class="s${i}" width="12" height="12"/></svg>${escapeHtml(s.name)}</li>`,
    )
    .join("");
  const desc = o.categories
    .map(
      (cat, c) =>
        `${cat}: ${o.series.map((s) => `${s.name} ${s.values[c] === null ? "no data" : o.format(s.values[c]!)}`).join(", ")}`,
    )
    .join("; ");
  const body =
    o.categories.length === 0 ? `<text x="${W / 2}" y="20" text-anchor="middle">No data</text>` : rows.join("\n");
  return `<figure class="card" id="${o.id}">
<h3 id="${o.id}-t">${escapeHtml(o.title)}</h3>
<svg class="chart" viewBox="0 0 ${W} ${Math.max(H, 30)}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" data-points="${drawn}">
<desc id="${o.id}-d">${escapeHtml(desc || "No data")}</desc>
${body}
</svg>
<ul class="legend">${legend}</ul>
</figure>`;
}
