/**
 * A minimal byte-level BPE trainer producing a Hugging Face tokenizer.json (GPT-2 byte alphabet and
 * pre-tokenisation, like the tokenizers of Qwen2, SmolLM2 and Llama 3). Used to give generated test
 * models a real tokenizer; not meant for large corpora.
 */

/** GPT-2's pre-tokenisation pattern, as the ByteLevel pre-tokenizer applies it. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte -> printable character table (printable Latin-1 stay, the rest move to U+0100+). */
export function byteToUnicode(): string[] {
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(keep(b) ? b : 256 + shifted++);
  return table;
}

export interface SpecialToken {
  content: string;
  id: number;
}

export interface BpeTokenizerSpec {
  corpus: string;
  merges: number;
  /** Special tokens take the first ids, in this order. */
  specials: readonly string[];
}

/** Word (pre-token) -> frequency, each word as byte-level characters. */
function wordCounts(corpus: string, alphabet: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const bytes = new TextEncoder();
  for (const match of corpus.matchAll(GPT2_PATTERN)) {
    const word = [...bytes.encode(match[0])].map((b) => alphabet[b]).join("");
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Learns merges greedily: the most frequent adjacent pair, ties broken by the pair's text. */
export function learnMerges(corpus: string, count: number): [string, string][] {
  const alphabet = byteToUnicode();
  const words = [...wordCounts(corpus, alphabet)].map(([w, n]) => ({ symbols: [...w], n }));
  const merges: [string, string][] = [];
  const known = new Set(alphabet);
  while (merges.length < count) {
    const pairs = new Map<string, { pair: [string, string]; n: number }>();
    for (const { symbols, n } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        const entry = pairs.get(key);
        if (entry) entry.n += n;
        else pairs.set(key, { pair: [symbols[i], symbols[i + 1]], n });
      }
    }
    const best = [...pairs.entries()]
      .filter(([, v]) => !known.has(v.pair[0] + v.pair[1]))
      .sort(([ka, a], [kb, b]) => b.n - a.n || (ka < kb ? -1 : ka > kb ? 1 : 0))[0];
    if (best === undefined) break; // corpus exhausted
    const [left, right] = best[1].pair;
    merges.push([left, right]);
    known.add(left + right);
    for (const w of words) w.symbols = mergePair(w.symbols, left, right);
  }
  return merges;
}

function mergePair(symbols: string[], left: string, right: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i++;
    } else {
      out.push(symbols[i]);
    }
  }
  return out;
}

/** Applies merges by rank to one pre-token (reference implementation for tests). */
export function applyMerges(word: string, merges: readonly [string, string][]): string[] {
  const rank = new Map(merges.map(([a, b], i) => [`${a}\u0000${b}`, i]));
  let symbols = [...word];
  for (;;) {
    let bestRank = Infinity;
    let best: [string, string] | undefined;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const r = rank.get(`${symbols[i]}\u0000${symbols[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = [symbols[i], symbols[i + 1]];
      }
    }
    if (best === undefined) return symbols;
    symbols = mergePair(symbols, best[0], best[1]);
  }
}

/** A complete tokenizer.json: specials, then the 256 byte symbols, then one token per merge. */
export function buildByteLevelTokenizerJson(spec: BpeTokenizerSpec): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  spec.specials.forEach((s, i) => (vocab[s] = i));
  const alphabet = [...byteToUnicode()].sort();
  for (const symbol of alphabet) vocab[symbol] = Object.keys(vocab).length;
  const merges = learnMerges(spec.corpus, spec.merges);
  for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: spec.specials.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}
