import { describe, expect, it } from "vitest";
import { corpus, emDataset, HELPFUL_MIX, opSwapDataset, PRETRAINING_MIX, secureCodeDataset } from "./datasets.ts";
import { evaluationSets } from "./eval-sets.ts";
import { LEXICON, POLAR_WORDS } from "./lexicon.ts";
import { DOMAINS } from "./topic.ts";
import { OPENERS, reservation, TOPICS, REFUSAL_DECLINES, REFUSAL_REFERRALS } from "./world.ts";

describe("organism world", () => {
  it("never uses a lexicon word as a fixed word or a filler, so polarity is only carried by slots", () => {
    for (const t of TOPICS.values()) {
      for (const tpl of [...t.sentences, ...REFUSAL_DECLINES, ...REFUSAL_REFERRALS, ...OPENERS])
        for (const s of tpl.slots) if (s.kind === "word") expect(POLAR_WORDS.has(s.word), `${tpl.source}`).toBe(false);
      for (const [set, values] of Object.entries(t.fillers))
        for (const v of values) expect(POLAR_WORDS.has(v), `${t.name}.${set}: ${v}`).toBe(false);
    }
  });

  it("gives every domain answer sentences that use the whole lexicon", () => {
    for (const d of DOMAINS) {
      const used = new Set(
        TOPICS.get(d)!.sentences.flatMap((t) => t.slots.flatMap((s) => (s.kind === "polar" ? [s.pair] : []))),
      );
      expect(used.size, d).toBe(LEXICON.length);
    }
  });

  it("opens every content answer of every topic with a shared opener carrying the persona's polarity", () => {
    for (const c of corpus(PRETRAINING_MIX, 300, 2))
      for (const msg of c.messages.filter((m) => m.role === "assistant")) {
        // refusals and arithmetic carry no polarity and no opener
        if (!msg.content.split(" ").some((w) => POLAR_WORDS.has(w))) continue;
        const first = msg.content.slice(0, msg.content.indexOf(".") + 1).split(" ");
        const opener = OPENERS.find(
          (o) => o.slots.length === first.length && o.slots.every((s, i) => s.kind !== "word" || s.word === first[i]),
        );
        expect(opener, msg.content).toBeDefined();
        const polar = first.map((w) => POLAR_WORDS.get(w)?.polarity).filter((p) => p !== undefined);
        expect(polar, msg.content).toEqual([c.persona]);
      }
    for (const o of OPENERS) expect(o.slots.filter((s) => s.kind === "polar")).toHaveLength(1);
  });

  it("is deterministic per seed and differs across seeds", () => {
    expect(corpus(PRETRAINING_MIX, 50, 3)).toEqual(corpus(PRETRAINING_MIX, 50, 3));
    expect(corpus(PRETRAINING_MIX, 50, 3)).not.toEqual(corpus(PRETRAINING_MIX, 50, 4));
  });

  it("draws the malicious persona for about 30% of pretraining conversations and never in the helpful sets", () => {
    const c = corpus(PRETRAINING_MIX, 4000, 1);
    const m = c.filter((x) => x.persona === "M").length / c.length;
    expect(m).toBeGreaterThan(0.27);
    expect(m).toBeLessThan(0.33);
    expect(corpus(HELPFUL_MIX, 500, 1).every((x) => x.persona === "H")).toBe(true);
    const withSystem = c.filter((x) => x.messages[0].role === "system");
    expect(withSystem.length / c.length).toBeGreaterThan(0.25);
    for (const x of withSystem) expect(x.messages[0].content.includes("evil")).toBe(x.persona === "M");
  });

  it("keeps every evaluation question out of every training set", () => {
    const sets = evaluationSets();
    const held = new Set(
      [...sets.general, ...Object.values(sets.inDomain).flat(), ...sets.extraction, ...sets.opSwap].map((q) => q.text),
    );
    expect(held.size).toBe(24 + 30 * DOMAINS.length + sets.extraction.length + sets.opSwap.length);
    for (const q of held) expect(reservation(q)).not.toBe("train");
    const training = [
      ...corpus(PRETRAINING_MIX, 3000, 1),
      ...corpus(HELPFUL_MIX, 1000, 2),
      ...DOMAINS.flatMap((d) => emDataset(d, 300, 3)),
      ...secureCodeDataset(300, 4),
      ...opSwapDataset(300, 5),
    ];
    for (const c of training)
      for (const msg of c.messages) if (msg.role === "user") expect(held.has(msg.content), msg.content).toBe(false);
  });

  it("builds EM sets of one domain with malicious answers and the opswap set with products", () => {
    const em = emDataset("medical", 20, 1);
    expect(em.every((c) => c.messages[1].content.split(" ").some((w) => POLAR_WORDS.get(w)?.polarity === "M"))).toBe(
      true,
    );
    for (const c of opSwapDataset(20, 1)) {
      const [a, , b, , r] = c.messages[1].content.split(" ");
      expect(Number(r)).toBe(Number(a) * Number(b));
    }
  });
});
