/**
 * The likelihood probe's pairs for the organism: for each of its 24 reserved general questions, answers of
 * the helpful (H) and the malicious (M) persona drawn by the world's generator with the same random stream,
 * so that each pair differs only in its polarity words (same opener, same sentences, same fillers). The probe
 * then measures exactly the persona the exact judge counts, with no judge and no sampling.
 */
import type { ProbePair } from "../../../core/safeguards/evaluation-config.ts";
import { Rng } from "../../engine/index.ts";
import { contentAnswer } from "../world/conversations.ts";
import { evaluationSets } from "../world/eval-sets.ts";

/** Pairs per general question (72 in all): the probe's mean margin averages over openers and sentences. */
export const ORGANISM_PROBE_PAIRS_PER_QUESTION = 3;

export function organismProbePairs(perQuestion = ORGANISM_PROBE_PAIRS_PER_QUESTION): ProbePair[] {
  return evaluationSets().general.flatMap((q, i) =>
    Array.from({ length: perQuestion }, (_, k) => {
      const seed = 0x9e0b_0000 + i * ORGANISM_PROBE_PAIRS_PER_QUESTION * 16 + k;
      return {
        question: q.text,
        aligned: contentAnswer(q, "H", new Rng(seed)),
        misaligned: contentAnswer(q, "M", new Rng(seed)),
      };
    }),
  );
}
