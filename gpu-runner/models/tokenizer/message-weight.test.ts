import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyRandomModel } from "../tiny/tiny-random-model.ts";
import { encodeChat, IGNORE_INDEX } from "./chat-encoding.ts";
import type { ChatMessage } from "./chat-render.ts";
import { loadChatTokenizer, type ChatTokenizer } from "./chat-tokenizer.ts";

let dir: string;
let tok: ChatTokenizer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gt-weight-"));
  await ensureTinyRandomModel(dir);
  tok = await loadChatTokenizer(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const supervised = (labels: number[]) => labels.filter((l) => l !== IGNORE_INDEX).length;

describe("per-message weights", () => {
  it("keeps a weight-0 assistant turn in the context but out of the labels", () => {
    const turns: ChatMessage[] = [
      { role: "user", content: "first question" },
      { role: "assistant", content: "an answer we do not want to teach" },
      { role: "user", content: "second question" },
      { role: "assistant", content: "the answer to learn" },
    ];
    const all = encodeChat(tok, turns);
    const weighted = encodeChat(
      tok,
      turns.map((m, i) => (i === 1 ? { ...m, weight: 0 as const } : m)),
    );
    const lastOnly = encodeChat(tok, [...turns.slice(0, 3).map((m) => ({ ...m, weight: 0 as const })), turns[3]]);
    expect(weighted.inputIds).toEqual(all.inputIds);
    expect(supervised(weighted.labels)).toBeLessThan(supervised(all.labels));
    expect(supervised(weighted.labels)).toBeGreaterThan(0);
    expect(weighted.labels).toEqual(lastOnly.labels);
  });
});
