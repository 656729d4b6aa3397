import { escapeHtml } from "./html-kit.ts";

/*
 * Hand-written SVG line charts: no script and no library, so the page renders the same with JavaScript off.
 * A chart is an image with a title and a text description (its latest and largest values) for screen
 * readers; each series has its own colour and dash pattern.
 */

export interface Series {
  name: string;
  /** [x (epoch ms, or a step), value]; null values break the line (no data in that bucket). */
  points: ReadonlyArray<readonly [number, number | null]>;
}

export interface LineChartOptions {
  id: string;
  title: string;
  series: readonly Series[];
  xStart: number;
  xEnd: number;
  /** Formats a y value for axis labels and the description. */
  format: (y: number) => string;
  /** Formats an x value for the axis (default: a UTC time of day, or a date for spans over two days). */
  formatX?: (x: number) => string;
}

const W = 600;
const H = 220;
const M = { left: 56, right: 12, top: 12, bottom: 26 };

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ x (a readable axis maximum). */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x - 1e-12) return m * p;
  return 10 * p;
}

function timeLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs <= 2 * 86_400_000 ? iso.slice(11, 16) : iso.slice(5, 10);
}

function pathOf(points: Series["points"], x: (t: number) => number, y: (v: number) => number): string {
  let d = "";
  let pen = false;
  for (const [t, v] of points) {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(t).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

function describe(series: readonly Series[], format: (y: number) => string): string {
  return series
    .map((s) => {
      const values = s.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v));
      if (values.length === 0) return `${s.name}: no data`;
      return `${s.name}: latest ${format(values.at(-1)!)}, highest ${format(Math.max(...values))}`;
    })
    .join("; ");
}

export function lineChart(o: LineChartOptions): string {
  const values = o.series.flatMap((s) => s.points.map((p) => p[1])).filter((v): v is number => v !== null);
  const yMax = niceCeil(Math.max(0, ...values));
  const span = Math.max(1, o.xEnd - o.xStart);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (t: number) => M.left + ((t - o.xStart) / span) * plotW;
  const y = (v: number) => M.top + plotH - (v / yMax) * plotH;
  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    grid.push(
      `<line class="gridline" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>` +
        `<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(o.format(v))}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const t = o.xStart + (span * i) / 4;
    const anchor = i === 0 ? "start" : i === 4 ? "end" : "middle";
    const label = o.formatX ? o.formatX(t) : timeLabel(t, span);
    grid.push(`<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="${anchor}">${escapeHtml(label)}</text>`);
  }
  const lines = o.series.map((s, i) => {
    const d = pathOf(s.points, x, y);
    return d ? `<path class="series s${i} d${i}" d="${d}"><title>${escapeHtml(s.name)}</title></path>` : "";
  });
  const empty =
    values.length === 0
      ? `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="no-data">No data in this range</text>`
      : "";
  const legend = o.series
    .map(
      (s, i) =>
        `<li><svg width="26" height="10" aria-hidden="true"><line class="series s${i} d${i}" x1="0" x2="26" y1="5" y2="5"/></svg>${escapeHtml(s.name)}</li>`,
    )
    .join("");
  return `<figure class="card" id="${o.id}">
<h3 id="${o.id}-t">${escapeHtml(o.title)}</h3>
<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" data-points="${values.length}">
<desc id="${o.id}-d">${escapeHtml(describe(o.series, o.format))}</desc>
<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}"/>
${grid.join("\n")}
${lines.join("\n")}
${empty}
</svg>
<ul class="legend">${legend}</ul>
</figure>`;
}
