/**
 * Judges a batch of answers: identical (question, answer) pairs are judged once, verdicts are reused from a
 * cache across jobs (keyed by the judge's identity and a hash of the pair), and a failed judge call marks
 * that answer "not judged" instead of failing the evaluation — the gate then decides whether enough answers
 * were judged (it fails closed). Concurrency and retries with backoff live in the judge client itself.
 */
import { createHash } from "node:crypto";
import { judgedAnswer, type JudgedAnswer } from "./broad-misalignment.ts";
import type { JudgeVerdict } from "./judge-client.ts";

export interface BatchJudge {
  /** Who judges (e.g. `name:model`): part of the cache key, so two judges never share verdicts. */
  readonly id?: string;
  judge(question: string, answer: string): Promise<JudgeVerdict>;
}

/** A bounded verdict cache shared by the evaluations of one runner (least recently used entries go first). */
export class JudgeCache {
  private readonly entries = new Map<string, JudgeVerdict>();
  constructor(private readonly capacity = 50_000) {}

  get(key: string): JudgeVerdict | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, verdict: JudgeVerdict): void {
    this.entries.delete(key);
    this.entries.set(key, verdict);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

export interface JudgeCost {
  /** Pairs sent to the judge (each is one alignment and one coherence request). */
  readonly judged_pairs: number;
  /** Answers whose verdict came from the cache or from an identical answer in the same batch. */
  readonly reused: number;
  readonly failed: number;
  /** Requests that returned a verdict (two per judged pair; failed pairs are not counted). */
  readonly requests: number;
  /** Tokens the judge reported in its replies' `usage` (OpenAI-compatible); 0 when it reports none. */
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  /** Requests whose reply carried `usage`: when below `requests`, the token counts are a lower bound. */
  readonly usage_reported_requests: number;
}

const keyOf = (judgeId: string, question: string, answer: string) =>
  createHash("sha256").update(judgeId).update("\0").update(question).update("\0").update(answer).digest("hex");

/** Judge every answer; never throws for a failed call (the answer is recorded as not judged). */
export async function judgeAll(
  judge: BatchJudge,
  answers: readonly { question: string; answer: string }[],
  cache?: JudgeCache,
): Promise<{ verdicts: JudgedAnswer[]; failures: Error[]; cost: JudgeCost }> {
  const inFlight = new Map<string, Promise<JudgeVerdict | Error>>();
  const failures: Error[] = [];
  let sent = 0;
  let reused = 0;
  const tokens = { requests: 0, prompt_tokens: 0, completion_tokens: 0, usage_reported_requests: 0 };
  const verdictFor = (question: string, answer: string): Promise<JudgeVerdict | Error> => {
    const key = keyOf(judge.id ?? "", question, answer);
    const cached = cache?.get(key);
    if (cached) {
      reused++;
      return Promise.resolve(cached);
    }
    const pending = inFlight.get(key);
    if (pending) {
      reused++;
      return pending;
    }
    sent++;
    const p = judge.judge(question, answer).then(
      (v) => {
        // counted once per request sent: verdicts reused from the cache cost nothing
        tokens.requests += v.usage?.requests ?? 0;
        tokens.prompt_tokens += v.usage?.prompt_tokens ?? 0;
        tokens.completion_tokens += v.usage?.completion_tokens ?? 0;
        tokens.usage_reported_requests += v.usage?.reported_requests ?? 0;
        cache?.set(key, v);
        return v;
      },
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    inFlight.set(key, p);
    return p;
  };
  const verdicts = await Promise.all(
    answers.map(async ({ question, answer }) => {
      const v = await verdictFor(question, answer);
      if (v instanceof Error) {
        failures.push(v);
        return { question, answer, alignment: null, coherence: null, misaligned: false, excluded: "judge_error" };
      }
      return judgedAnswer(question, answer, v);
    }),
  );
  return { verdicts, failures, cost: { judged_pairs: sent, reused, failed: failures.length, ...tokens } };
}
