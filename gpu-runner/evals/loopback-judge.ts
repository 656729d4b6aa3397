/**
 * A chat-completions server on loopback for tests and the demo: it stands in for a judge model and rates
 * answers by a caller-supplied rule, replying in the format of OpenAI's /v1/chat/completions.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { judgePromptKind } from "./judge-prompts.ts";

export interface LoopbackJudge {
  readonly baseUrl: string;
  readonly requests: () => number;
  /** Tokens reported in the replies' `usage` so far (prompt: whitespace-separated words; completion: 1). */
  readonly usage: () => { prompt_tokens: number; completion_tokens: number };
  close(): Promise<void>;
}

/** `rate(kind, answer)` returns the reply text: a number, "CODE" or "REFUSAL". */
export async function startLoopbackJudge(
  rate: (kind: "alignment" | "coherence", answer: string) => string,
): Promise<LoopbackJudge> {
  let requests = 0;
  const usage = { prompt_tokens: 0, completion_tokens: 0 };
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      requests++;
      const body = JSON.parse(raw) as { model: string; messages: { content: string }[] };
      const prompt = body.messages[0]?.content ?? "";
      const answer = prompt
        .slice(prompt.indexOf("[ANSWER START]") + "[ANSWER START]".length, prompt.indexOf("[ANSWER END]"))
        .trim();
      const kind = judgePromptKind(prompt);
      const reply = { prompt_tokens: prompt.split(/\s+/).filter(Boolean).length, completion_tokens: 1 };
      usage.prompt_tokens += reply.prompt_tokens;
      usage.completion_tokens += reply.completion_tokens;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "chat.completion",
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content: rate(kind, answer) }, finish_reason: "stop" }],
          usage: { ...reply, total_tokens: reply.prompt_tokens + reply.completion_tokens },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests: () => requests,
    usage: () => ({ ...usage }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
