/** Escaping and formatting shared by the admin pages: everything from the database goes through `escapeHtml`. */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/** `42 s`, `3.5 min`, `2.1 h`, `1.3 d`; an em dash when there is no value. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export const formatTime = (date: Date | null | undefined) =>
  date
    ? date
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z")
    : "—";

export const formatCount = (n: number | null | undefined) =>
  n === null || n === undefined ? "—" : n.toLocaleString("en-US");

/** A share (0–1) as a percentage with one decimal; an em dash when unknown. */
export const formatPct = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)}%`;

/** A signed change in percentage points. */
export const formatPp = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : `${x >= 0 ? "+" : "−"}${Math.abs(100 * x).toFixed(1)} pp`;

export const formatNumber = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits);

export interface ColumnSpec<Row> {
  label: string;
  /** Plain text; escaped by `table`. */
  cell?: (row: Row) => string;
  /** Already-safe HTML (built with escapeHtml), for links and badges. */
  html?: (row: Row) => string;
  numeric?: boolean;
}

export function table<Row>(
  columns: ReadonlyArray<ColumnSpec<Row>>,
  rows: readonly Row[],
  empty: string,
  caption?: string,
): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = columns
    .map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ""}>${escapeHtml(c.label)}</th>`)
    .join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${columns
          .map(
            (c) =>
              `<td${c.numeric ? ' class="num"' : ""}>${c.html ? c.html(row) : escapeHtml(c.cell ? c.cell(row) : "")}</td>`,
          )
          .join("")}</tr>`,
    )
    .join("\n");
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  return `<div class="scroll"><table>${cap}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A link to a job's page. */
export const jobLink = (id: string) => `<a href="/admin/jobs/${encodeURIComponent(id)}">${escapeHtml(id)}</a>`;

/** A status word with a shape as well as a colour (never colour alone). */
export function statusBadge(status: string): string {
  const mark: Record<string, string> = { succeeded: "✓", failed: "✗", cancelled: "⊘", running: "▶", queued: "…" };
  return `<span class="badge st-${escapeHtml(status)}">${mark[status] ?? "•"} ${escapeHtml(status)}</span>`;
}
