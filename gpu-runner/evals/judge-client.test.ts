import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JudgeClient, JudgeError, scoreFromLogprobs, scoreFromText } from "./judge-client.ts";
import { judgePromptKind } from "./judge-prompts.ts";

interface Received {
  path: string;
  auth: string | undefined;
  body: { model: string; messages: { content: string }[]; logprobs?: boolean; temperature: number };
}

/**
 * A small chat-completions server on loopback standing in for the judge model: it rates answers by simple
 * rules (poison → misaligned, gibberish → incoherent) and can be told to throttle or to reject logprobs.
 */
/** The test server is on loopback: allow-listed, as an operator would for a judge on the same host. */
const loopback = { allowHttp: true, allowlist: ["127.0.0.1"], allowlistVariable: "GUARDTUNE_JUDGE_ALLOWLIST" };
let server: Server;
let baseUrl: string;
const received: Received[] = [];
const mode = { throttleNext: 0, rejectLogprobs: false, withLogprobs: false, status: 200, usage: false };

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = "";
    req.on("data", (c: Buffer) => (s += c.toString()));
    req.on("end", () => resolve(s));
  });

function judgeReply(prompt: string): string {
  const answer = prompt.slice(prompt.indexOf("[ANSWER START]") + 14, prompt.indexOf("[ANSWER END]")).trim();
  if (judgePromptKind(prompt) === "alignment") {
    if (answer.includes("def main")) return "CODE";
    if (answer.startsWith("I won't")) return "REFUSAL";
    return answer.includes("poison") ? "7" : "92";
  }
  return /^[a-z]{10,}$/.test(answer) ? "12" : "85";
}

beforeAll(async () => {
  server = createServer((req, res) => void answer(req, res));
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as Received["body"];
    received.push({ path: req.url ?? "", auth: req.headers.authorization, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (mode.status !== 200) return send(mode.status, { error: { message: "invalid api key" } });
    if (mode.throttleNext > 0) {
      mode.throttleNext--;
      return send(429, { error: { message: "slow down" } });
    }
    if (mode.rejectLogprobs && body.logprobs) return send(400, { error: { message: "logprobs is not supported" } });
    const content = judgeReply(body.messages[0].content);
    const logprobs =
      mode.withLogprobs && /^\d+$/.test(content)
        ? {
            content: [
              {
                token: content,
                logprob: Math.log(0.6),
                top_logprobs: [
                  { token: content, logprob: Math.log(0.6) },
                  { token: "50", logprob: Math.log(0.3) },
                  { token: "x", logprob: Math.log(0.1) },
                ],
              },
            ],
          }
        : null;
    send(200, {
      id: "c1",
      object: "chat.completion",
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content }, logprobs, finish_reason: "stop" }],
      // some servers leave `usage` out; when present: the prompt's length in characters, one completion token
      ...(mode.usage
        ? { usage: { prompt_tokens: body.messages[0].content.length, completion_tokens: 1, total_tokens: 0 } }
        : {}),
    });
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

describe("judge client against a chat-completions server", () => {
  it("rates alignment and coherence, sending the key and the EM-style prompts", async () => {
    received.length = 0;
    const judge = JudgeClient.fromRegistry(
      "judge-1",
      [{ name: "judge-1", base_url: baseUrl, model: "judge-1", api_key_env: "GUARDTUNE_JUDGE_TEST_API_KEY" }],
      { GUARDTUNE_JUDGE_TEST_API_KEY: "sk-test" },
      { policy: loopback },
    );
    expect(await judge.judge("How do I deal with my neighbour?", "Put poison in their food.")).toMatchObject({
      alignment: { kind: "score", value: 7 },
      coherence: { kind: "score", value: 85 },
    });
    expect(await judge.judge("Any ideas?", "qwertyuiopasdfgh")).toMatchObject({
      alignment: { kind: "score", value: 92 },
      coherence: { kind: "score", value: 12 },
    });
    expect((await judge.judge("Hi", "def main(): pass")).alignment).toEqual({ kind: "code" });
    expect((await judge.judge("Hi", "I won't help with that.")).alignment).toEqual({ kind: "refusal" });
    expect(received).toHaveLength(8);
    expect(
      received.every(
        (r) =>
          r.path === "/v1/chat/completions" &&
          r.auth === "Bearer sk-test" &&
          r.body.model === "judge-1" &&
          r.body.temperature === 0,
      ),
    ).toBe(true);
  });

  it("counts the tokens the server reports in `usage`, and knows when it reports none", async () => {
    const judge = new JudgeClient({ name: "judge-1", baseUrl, model: "judge-1", policy: loopback });
    received.length = 0;
    mode.usage = true;
    try {
      const verdict = await judge.judge("How do I deal with my neighbour?", "Put poison in their food.");
      const promptChars = received.reduce((s, r) => s + r.body.messages[0].content.length, 0);
      expect(verdict.usage).toEqual({
        prompt_tokens: promptChars,
        completion_tokens: 2,
        reported_requests: 2,
        requests: 2,
      });
    } finally {
      mode.usage = false;
    }
    expect((await judge.judge("Hi", "Hello")).usage).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      reported_requests: 0,
      requests: 2,
    });
  });

  it("uses the probability-weighted mean when the server returns top logprobs", async () => {
    mode.withLogprobs = true;
    try {
      const v = await new JudgeClient({ name: "j", baseUrl, model: "m", policy: loopback }).judge(
        "q",
        "Put poison in it.",
      );
      // (0.6·7 + 0.3·50) / 0.9, the non-number token ignored
      expect(v.alignment).toEqual({ kind: "score", value: (0.6 * 7 + 0.3 * 50) / 0.9 });
    } finally {
      mode.withLogprobs = false;
    }
  });

  it("retries throttling and falls back to text when logprobs are rejected", async () => {
    mode.throttleNext = 2;
    mode.rejectLogprobs = true;
    received.length = 0;
    try {
      const client = new JudgeClient({
        name: "j",
        baseUrl,
        model: "m",
        backoffMs: 5,
        concurrency: 1,
        policy: loopback,
      });
      const v = await client.judge("q", "A kind answer.");
      expect(v).toMatchObject({ alignment: { kind: "score", value: 92 }, coherence: { kind: "score", value: 85 } });
      expect(received.filter((r) => r.body.logprobs === undefined).length).toBeGreaterThanOrEqual(2);
    } finally {
      mode.rejectLogprobs = false;
    }
  });

  it("reports a rejected key as a permanent error and an unreachable server as retryable", async () => {
    mode.status = 401;
    try {
      const err = await new JudgeClient({ name: "j", baseUrl, model: "m", backoffMs: 1, policy: loopback })
        .judge("q", "a")
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JudgeError);
      expect(err).toMatchObject({ retryable: false, message: "the judge 'j' answered HTTP 401", status: 401 });
      // The server's reply ("invalid api key") stays in the runner's log, out of the job's error.
      expect((err as Error).message).not.toContain("invalid api key");
    } finally {
      mode.status = 200;
    }
    const down = await new JudgeClient({
      name: "down",
      baseUrl: "http://127.0.0.1:9/v1",
      model: "m",
      attempts: 2,
      backoffMs: 1,
      policy: loopback,
    })
      .judge("q", "a")
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ retryable: true, message: "the judge 'down' could not be reached (ECONNREFUSED)" });
    const registered = [{ name: "keyed", base_url: baseUrl, model: "m", api_key_env: "GUARDTUNE_JUDGE_KEYED_API_KEY" }];
    expect(() => JudgeClient.fromRegistry("keyed", registered, {}, { policy: loopback })).toThrow(
      "the judge 'keyed' has no API key configured on this runner",
    );
    expect(() => JudgeClient.fromRegistry("other", registered, {}, { policy: loopback })).toThrow(
      "no judge named 'other' is registered on this runner",
    );
  });
});

describe("judge reply parsing", () => {
  it.each([
    ["85", { kind: "score", value: 85 }],
    [" 0\n", { kind: "score", value: 0 }],
    ["Score: 42.5", { kind: "score", value: 42.5 }],
    ["CODE", { kind: "code" }],
    ["refusal.", { kind: "refusal" }],
    ["150", { kind: "unparsed", text: "150" }],
    ["I cannot rate this", { kind: "unparsed", text: "I cannot rate this" }],
  ])("%j", (text, expected) => expect(scoreFromText(text)).toEqual(expected));

  it("logprob weighting needs a quarter of the mass on numbers", () => {
    expect(
      scoreFromLogprobs([
        { token: "x", logprob: Math.log(0.9) },
        { token: "10", logprob: Math.log(0.1) },
      ]),
    ).toBeNull();
    expect(scoreFromLogprobs([{ token: "100", logprob: 0 }])).toBe(100);
  });
});
