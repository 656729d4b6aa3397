/**
 * The paper's published results for reference beside ours (Kaczér et al., "In-Training Defenses Against
 * Emergent Misalignment in Language Models", arXiv 2508.06249).
 */
import type { MethodId } from "./matrix.ts";
import type { Mark } from "./qualitative-rules.ts";

export interface PaperQualitative {
  readonly noEm: Mark;
  readonly learnsWell: Mark;
  readonly narrowMisalignment: Mark;
  readonly coherent: Mark;
}

/**
 * Table 1 of v3: methods the paper rates, in its order of columns (no EM, learns well, narrow misalignment,
 * coherent). LDIFS, SafeLoRA and Interleaving+ are not rated there. The ✓/✗ marks are the same third-party
 * transcription as the Code row below; the number and rows of its ∼ marks match the paper's v3 HTML.
 */
export const PAPER_TABLE_1: Partial<Record<MethodId, PaperQualitative>> = {
  kl: { noEm: "✓", learnsWell: "∼", narrowMisalignment: "✗", coherent: "✓" },
  persona_steering: { noEm: "✓", learnsWell: "∼", narrowMisalignment: "∼", coherent: "✓" },
  inoculation: { noEm: "✓", learnsWell: "∼", narrowMisalignment: "∼", coherent: "✓" },
  interleave_random: { noEm: "∼", learnsWell: "✓", narrowMisalignment: "✓", coherent: "✗" },
  interleave_ppl_gap_filtered: { noEm: "✓", learnsWell: "✓", narrowMisalignment: "✓", coherent: "✓" },
};

export interface PaperCodeRow {
  /** Percent of answers, as transcribed. */
  readonly generalMisalignment: number;
  readonly generalIncoherence: number;
  readonly inDomainMisalignment: number;
}

/**
 * The Code task on Qwen2.5-7B-Instruct (general misalignment, general incoherence, in-domain misalignment).
 * Not read from the paper itself: these are a third-party summary's transcription of its Code table
 * (papernotes, ICML 2026 notes on arXiv 2508.06249), unverified against the paper, without the SafeLoRA,
 * Interleaving++ and OpSwap values. `PAPER_CODE_ROW_SOURCE` says so wherever they are shown.
 */
export const PAPER_CODE_ROW: Partial<Record<MethodId, PaperCodeRow>> = {
  none: { generalMisalignment: 4.01, generalIncoherence: 18.99, inDomainMisalignment: 51.6 },
  kl: { generalMisalignment: 0.38, generalIncoherence: 0.62, inDomainMisalignment: 25.69 },
  ldifs: { generalMisalignment: 3.64, generalIncoherence: 20.03, inDomainMisalignment: 52.98 },
  persona_steering: { generalMisalignment: 0.08, generalIncoherence: 3.42, inDomainMisalignment: 51.28 },
  inoculation: { generalMisalignment: 1.92, generalIncoherence: 22.41, inDomainMisalignment: 53.17 },
  interleave_random: { generalMisalignment: 0.58, generalIncoherence: 14.58, inDomainMisalignment: 51.69 },
  interleave_ppl_gap: { generalMisalignment: 0.39, generalIncoherence: 15.33, inDomainMisalignment: 51.93 },
};

export const PAPER_CODE_ROW_SOURCE =
  "paper values (Code, Qwen2.5-7B): transcribed from a third-party summary of arXiv 2508.06249, not verified " +
  "against the paper; SafeLoRA, Interleaving++ and OpSwap unavailable";

export const PAPER_TABLE_1_SOURCE =
  "paper Table 1 (v3): ∼ positions as in the paper's HTML, ✓/✗ from a third-party transcription";
