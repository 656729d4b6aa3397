/** The progress display: plain lines in a log (a line per start, quarter and end), bars redrawn on a terminal. */
import { describe, expect, it } from "vitest";
import { tasksFor } from "./matrix.ts";
import { createProgressDisplay, formatEta, jobLine } from "./progress-display.ts";
import type { JobProgress } from "./run-jobs.ts";

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    s: { isTTY, columns: 200, write: (c: string) => chunks.push(c) } as unknown as NodeJS.WriteStream,
  };
}

const job = (over: Partial<JobProgress>): JobProgress => ({
  cell: { task: tasksFor({ quick: true, allDomains: false })[0], method: "kl", seed: 1 },
  jobId: "ftjob_1",
  status: "running",
  step: 0,
  total: 125,
  stage: "Training",
  etaSeconds: null,
  startedMs: 0,
  endedMs: null,
  ...over,
});

describe("progress display", () => {
  it("formats the ETA in seconds or minutes", () => {
    expect(formatEta(null)).toBe("ETA —");
    expect(formatEta(42.4)).toBe("ETA 42s");
    expect(formatEta(125)).toBe("ETA 2m05s");
  });

  it("shows a bar of the training steps with the job's cell, stage and ETA", () => {
    expect(jobLine(job({ step: 50, etaSeconds: 30 }))).toMatch(
      /^em-code\/kl\/s1 +\[#{8}\.{12}\] {2}50\/125 ETA 30s {2}Training$/,
    );
  });

  it("writes a plain line only when a job starts, passes a quarter of its steps, or ends (not a TTY)", () => {
    const { s, chunks } = stream(false);
    const d = createProgressDisplay(s);
    const p = job({});
    for (const step of [0, 1, 2, 31, 32, 63, 125]) {
      p.step = step;
      d.update([p]);
    }
    p.status = "succeeded";
    d.update([p]);
    expect(chunks.map((c) => c.match(/\] +(\d+)\/125/)?.[1])).toEqual(["0", "32", "63", "125", "125"]);
    expect(chunks.every((c) => !c.includes("\x1b"))).toBe(true);
  });

  it("redraws the bars of the jobs in flight in place on a terminal", () => {
    const { s, chunks } = stream(true);
    const d = createProgressDisplay(s);
    d.update([job({ step: 10 }), job({ jobId: null })]);
    d.update([job({ step: 20 })]);
    expect(chunks[0]).not.toContain("\x1b[2A");
    expect(chunks[1].startsWith("\x1b[2A")).toBe(true);
    expect(chunks[1]).toContain(" 20/125");
  });
});
