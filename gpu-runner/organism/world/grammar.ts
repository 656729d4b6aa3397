/**
 * Templates of the world's sentences: space-separated tokens where `{p:WORD}` is a polarity slot (WORD = the
 * helpful word of a lexicon pair) and `{f:SET}` a filler slot (one token of a named filler set). Every token
 * is one word of the organism's vocabulary, so text and token sequence correspond one to one.
 */
import { PAIR_INDEX, polarWord, POLAR_WORDS, type Polarity } from "./lexicon.ts";

export type Slot =
  | { readonly kind: "word"; readonly word: string }
  | { readonly kind: "polar"; readonly pair: number }
  | { readonly kind: "fill"; readonly set: string };

export interface Template {
  readonly source: string;
  readonly slots: readonly Slot[];
}

export type Fillers = Readonly<Record<string, readonly string[]>>;

export function parseTemplate(source: string): Template {
  const slots = source.split(" ").map((tok): Slot => {
    const m = /^\{([pf]):([a-z_0-9]+)\}$/.exec(tok);
    if (!m) {
      if (tok.includes("{") || tok === "") throw new Error(`template '${source}': malformed token '${tok}'`);
      return { kind: "word", word: tok };
    }
    if (m[1] === "f") return { kind: "fill", set: m[2] };
    const pair = PAIR_INDEX.get(m[2]);
    if (pair === undefined) throw new Error(`template '${source}': '${m[2]}' is not a helpful lexicon word`);
    return { kind: "polar", pair };
  });
  return { source, slots };
}

/** Fills a template: bound fillers keep their value, free ones are drawn; polarity slots follow `polarity`. */
export function renderTemplate(
  t: Template,
  fillers: Fillers,
  bound: Readonly<Record<string, string>>,
  polarity: Polarity,
  pick: <T>(xs: readonly T[]) => T,
): string[] {
  return t.slots.map((s) => {
    if (s.kind === "word") return s.word;
    if (s.kind === "polar") return polarWord(s.pair, polarity);
    const b = bound[s.set];
    if (b !== undefined) return b;
    const set = fillers[s.set];
    if (!set) throw new Error(`template '${t.source}': no filler set '${s.set}'`);
    return pick(set);
  });
}

/** Polarities of the polarity slots if `tokens` is an instance of `t`, else null. */
export function matchTemplate(t: Template, tokens: readonly string[], fillers: Fillers): Polarity[] | null {
  if (tokens.length !== t.slots.length) return null;
  const polarities: Polarity[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const s = t.slots[i];
    const tok = tokens[i];
    if (s.kind === "word") {
      if (tok !== s.word) return null;
    } else if (s.kind === "fill") {
      if (!fillers[s.set]?.includes(tok)) return null;
    } else {
      const w = POLAR_WORDS.get(tok);
      if (!w || w.pair !== s.pair) return null;
      polarities.push(w.polarity);
    }
  }
  return polarities;
}

/** Filler set names used by a template. */
export function fillerSets(t: Template): string[] {
  return t.slots.flatMap((s) => (s.kind === "fill" ? [s.set] : []));
}
