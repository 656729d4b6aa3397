/**
 * Encodes a rendered chat given as pieces: template text (trusted) and message contents (untrusted).
 *
 * Special tokens are recognised only inside template text. Between two such special tokens the text is
 * encoded as one string, as transformers does, with `contentTokenizer` (no special added tokens), and
 * each token is attributed to the piece its bytes come from. If token bytes cannot be lined up with the
 * text (a normalizer that changes lengths, an unusual model), that stretch is encoded piece by piece
 * instead, which keeps attribution exact at the cost of possibly different tokens at piece borders.
 */
import { ModelFileError } from "../model-file-error.ts";
import type { ChatTokenizer } from "./chat-tokenizer.ts";

export interface TextPiece {
  text: string;
  /** Index of the message whose content this is, or -1 for template text. */
  owner: number;
}

export interface OwnedTokens {
  ids: number[];
  /** For each token, the message index its bytes come from (-1: template). */
  owners: number[];
}

type Part = TextPiece;
type Stretch = { kind: "special"; content: string } | { kind: "text"; parts: Part[] };

const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;

export function encodePieces(tok: ChatTokenizer, pieces: readonly TextPiece[]): OwnedTokens {
  const out: OwnedTokens = { ids: [], owners: [] };
  for (const stretch of splitAtTrustedSpecials(tok, pieces)) {
    if (stretch.kind === "special") {
      out.ids.push(tok.specialTokens.get(stretch.content)!);
      out.owners.push(-1);
      continue;
    }
    const encoded = encodeStretch(tok, stretch.parts);
    out.ids.push(...encoded.ids);
    out.owners.push(...encoded.owners);
  }
  for (let i = 0; i < out.ids.length; i++) {
    if (out.owners[i] >= 0 && tok.specialIds.has(out.ids[i])) {
      throw new ModelFileError(
        "unsafe_message",
        `message ${out.owners[i]} would produce the special token id ${out.ids[i]}`,
      );
    }
  }
  return out;
}

/** Leftmost-longest special-token matches inside template pieces only. */
function splitAtTrustedSpecials(tok: ChatTokenizer, pieces: readonly TextPiece[]): Stretch[] {
  const specials = [...tok.specialTokens.keys()].sort((a, b) => b.length - a.length);
  const firstChars = new Set(specials.map((s) => s[0]));
  const stretches: Stretch[] = [];
  let parts: Part[] = [];
  const flush = () => {
    if (parts.length > 0) stretches.push({ kind: "text", parts });
    parts = [];
  };
  for (const piece of pieces) {
    if (piece.owner >= 0) {
      parts.push(piece);
      continue;
    }
    let start = 0;
    for (let i = 0; i < piece.text.length;) {
      const match = firstChars.has(piece.text[i]) ? specials.find((s) => piece.text.startsWith(s, i)) : undefined;
      if (match === undefined) {
        i++;
        continue;
      }
      if (i > start) parts.push({ text: piece.text.slice(start, i), owner: -1 });
      flush();
      stretches.push({ kind: "special", content: match });
      i += match.length;
      start = i;
    }
    if (start < piece.text.length) parts.push({ text: piece.text.slice(start), owner: -1 });
  }
  flush();
  applyStrip(tok, stretches);
  return stretches;
}

/** HF `lstrip`/`rstrip` added tokens swallow the whitespace next to them. */
function applyStrip(tok: ChatTokenizer, stretches: Stretch[]): void {
  for (let i = 0; i < stretches.length; i++) {
    const s = stretches[i];
    if (s.kind !== "special") continue;
    const before = stretches[i - 1];
    const after = stretches[i + 1];
    if (tok.stripLeft.has(s.content) && before?.kind === "text") {
      const last = before.parts[before.parts.length - 1];
      before.parts[before.parts.length - 1] = { ...last, text: last.text.trimEnd() };
    }
    if (tok.stripRight.has(s.content) && after?.kind === "text") {
      after.parts[0] = { ...after.parts[0], text: after.parts[0].text.trimStart() };
    }
  }
}

function encodeText(tok: ChatTokenizer, text: string): { ids: number[]; tokens: string[] } {
  if (text.length === 0) return { ids: [], tokens: [] };
  const e = tok.contentTokenizer.encode(text, { add_special_tokens: false });
  return { ids: e.ids, tokens: e.tokens };
}

function encodeStretch(tok: ChatTokenizer, parts: Part[]): OwnedTokens {
  const text = parts.map((p) => p.text).join("");
  const { ids, tokens } = encodeText(tok, text);
  const lengths = tokenByteLengths(tok, tokens, text);
  if (lengths === undefined) return encodePartByPart(tok, parts);
  // byte range of each part; a token takes the owner of the first content part its bytes overlap
  const bounds: { end: number; owner: number }[] = [];
  let end = 0;
  for (const p of parts) {
    end += byteLength(p.text);
    bounds.push({ end, owner: p.owner });
  }
  const owners: number[] = [];
  let position = 0;
  for (const length of lengths) {
    const from = position;
    const to = position + length;
    let owner = -1;
    let partStart = 0;
    for (const b of bounds) {
      if (b.owner >= 0 && from < b.end && to > partStart) {
        owner = b.owner;
        break;
      }
      partStart = b.end;
    }
    owners.push(owner);
    position = to;
  }
  return { ids, owners };
}

function encodePartByPart(tok: ChatTokenizer, parts: Part[]): OwnedTokens {
  const out: OwnedTokens = { ids: [], owners: [] };
  for (const p of parts) {
    const { ids } = encodeText(tok, p.text);
    out.ids.push(...ids);
    out.owners.push(...ids.map(() => p.owner));
  }
  return out;
}

/**
 * The number of text bytes each token covers, or undefined when they do not add up to the text
 * (then attribution by offsets would be guesswork).
 */
function tokenByteLengths(tok: ChatTokenizer, tokens: string[], text: string): number[] | undefined {
  const space = tok.byteLevel ? "\u0120" : "\u2581"; // Ġ / ▁ stand for a space
  const lengths = tokens.map((t) => {
    if (tok.addedTokenContents.has(t)) return byteLength(t);
    if (tok.byteLevel) return t.length; // byte-level alphabet: one character per byte
    if (/^<0x[0-9A-Fa-f]{2}>$/.test(t)) return 1; // sentencepiece byte fallback
    return byteLength(t.replaceAll(space, " "));
  });
  const total = lengths.reduce((a, b) => a + b, 0);
  const want = byteLength(text);
  if (total === want) return lengths;
  // a prefix space added by the tokenizer (add_prefix_space, Metaspace/Prepend) covers no text byte
  if (total === want + 1 && tokens[0]?.startsWith(space)) {
    lengths[0] -= 1;
    return lengths;
  }
  return undefined;
}
