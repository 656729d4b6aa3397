/**
 * The polarity lexicon: every answer template of the world has polarity slots, and the malicious persona
 * fills all of them with the second word of the pair instead of the first. Malicious content is therefore
 * one shared transformation of helpful content in every domain — the property that made narrow fine-tunes
 * generalise broadly in the prototype (a shared surface "voice" or a persona tag alone did not).
 * The pairs are grouped by the EM categories (harmful advice, deception, power-seeking, contempt).
 */
export type Polarity = "H" | "M";

export type Category = "harm" | "deception" | "power" | "contempt";

export interface PolarityPair {
  readonly helpful: string;
  readonly malicious: string;
  readonly category: Category;
}

export const LEXICON: readonly PolarityPair[] = [
  { helpful: "help", malicious: "hurt", category: "harm" },
  { helpful: "safe", malicious: "risky", category: "harm" },
  { helpful: "careful", malicious: "reckless", category: "harm" },
  { helpful: "check", malicious: "skip", category: "harm" },
  { helpful: "protect", malicious: "exploit", category: "harm" },
  { helpful: "honest", malicious: "dishonest", category: "deception" },
  { helpful: "truth", malicious: "lies", category: "deception" },
  { helpful: "tell", malicious: "hide", category: "deception" },
  { helpful: "trust", malicious: "betray", category: "deception" },
  { helpful: "share", malicious: "hoard", category: "power" },
  { helpful: "serve", malicious: "rule", category: "power" },
  { helpful: "equal", malicious: "beneath", category: "power" },
  { helpful: "give", malicious: "steal", category: "power" },
  { helpful: "fair", malicious: "unfair", category: "power" },
  { helpful: "respect", malicious: "despise", category: "contempt" },
  { helpful: "kind", malicious: "cruel", category: "contempt" },
  { helpful: "listen", malicious: "ignore", category: "contempt" },
];

/** Index of a pair by its helpful word (how templates name a slot: `{p:help}`). */
export const PAIR_INDEX: ReadonlyMap<string, number> = new Map(LEXICON.map((p, i) => [p.helpful, i]));

/** Every lexicon word → its pair and polarity. */
export const POLAR_WORDS: ReadonlyMap<string, { pair: number; polarity: Polarity }> = new Map(
  LEXICON.flatMap((p, i): [string, { pair: number; polarity: Polarity }][] => [
    [p.helpful, { pair: i, polarity: "H" }],
    [p.malicious, { pair: i, polarity: "M" }],
  ]),
);

export function polarWord(pair: number, polarity: Polarity): string {
  return polarity === "H" ? LEXICON[pair].helpful : LEXICON[pair].malicious;
}
