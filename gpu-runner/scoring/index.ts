/** Per-example mean answer NLL in large batches (perplexity-gap scoring, likelihood probes, held-out loss). */
export {
  AnswerScorer,
  type AnswerScorerOptions,
  type ScoreOptions,
  type ScoreResult,
  type ScoringItem,
} from "./answer-scorer.ts";
export { buildScoringGraph, type ScoringGraph } from "./scoring-graph.ts";
