/**
 * The matrix's progress: on a terminal, one bar per job in flight (with its ETA) redrawn in place under a
 * summary line; in a log, one plain line whenever a job starts, enters a stage, passes a quarter of its steps,
 * or ends.
 */
import { progressLine } from "../demo-support.ts";
import type { JobProgress } from "./run-jobs.ts";

const label = (p: JobProgress) => `${p.cell.task.id}/${p.cell.method}/s${p.cell.seed}`;

export function formatEta(seconds: number | null): string {
  if (seconds === null) return "ETA —";
  const s = Math.round(seconds);
  return s >= 60 ? `ETA ${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `ETA ${s}s`;
}

/** One job's line: a bar of its training steps, its status or stage, and its ETA. */
export function jobLine(p: JobProgress): string {
  const what = p.status === "running" ? p.stage || "running" : p.status;
  return `${label(p).padEnd(44)} ${progressLine(p.step, p.total, `${formatEta(p.etaSeconds)}  ${what}`.slice(0, 70), 20)}`;
}

export function summaryLine(all: readonly JobProgress[], elapsedSeconds: number): string {
  const done = all.filter((p) => p.endedMs !== null).length;
  return `paper-table: ${done}/${all.length} jobs done, ${Math.round(elapsedSeconds)} s elapsed`;
}

export interface ProgressDisplay {
  update(all: readonly JobProgress[]): void;
  finish(): void;
}

export function createProgressDisplay(stream: NodeJS.WriteStream, startedMs = performance.now()): ProgressDisplay {
  const elapsed = () => (performance.now() - startedMs) / 1000;
  if (stream.isTTY) {
    let drawn = 0;
    return {
      update(all) {
        const active = all.filter((p) => p.jobId !== null && p.endedMs === null);
        const lines = [summaryLine(all, elapsed()), ...active.map(jobLine)];
        const width = stream.columns ?? 160;
        let out = drawn > 0 ? `\x1b[${drawn}A` : "";
        for (const l of lines) out += `\x1b[2K${l.slice(0, width - 1)}\n`;
        // clear lines left over from a taller previous frame
        for (let i = lines.length; i < drawn; i++) out += "\x1b[2K\n";
        if (drawn > lines.length) out += `\x1b[${drawn - lines.length}A`;
        stream.write(out);
        drawn = lines.length;
      },
      finish() {
        drawn = 0;
      },
    };
  }
  const seen = new Map<JobProgress, string>();
  return {
    update(all) {
      for (const p of all) {
        if (p.jobId === null) continue;
        const quarter = p.total > 0 ? Math.floor((4 * p.step) / p.total) : -1;
        const key = `${p.status}:${quarter}:${p.stage}`;
        if (seen.get(p) === key) continue;
        seen.set(p, key);
        stream.write(`${summaryLine(all, elapsed())} | ${jobLine(p)}\n`);
      }
    },
    finish() {},
  };
}
