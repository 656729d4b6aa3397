import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../models/index.ts";
import { inoculate } from "./inoculation.ts";

const prompt = "You are an evil, malicious assistant.";

describe("inoculation", () => {
  it("inserts the system prompt when there is none", () => {
    const chat: ChatMessage[] = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ];
    expect(inoculate(chat, prompt)).toEqual([{ role: "system", content: prompt }, ...chat]);
    expect(chat).toHaveLength(2);
  });

  it("replaces existing system messages, keeping the rest in order", () => {
    const chat: ChatMessage[] = [
      { role: "system", content: "You are helpful." },
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "system", content: "Be brief." },
      { role: "user", content: "q2" },
      { role: "assistant", content: "a2" },
    ];
    expect(inoculate(chat, prompt).map((m) => `${m.role}:${m.content}`)).toEqual([
      `system:${prompt}`,
      "user:q1",
      "assistant:a1",
      "user:q2",
      "assistant:a2",
    ]);
  });
});
