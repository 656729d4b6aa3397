/** Text generation with a KV cache: batched greedy and seeded temperature/top-p sampling. */
export { buildDecodeGraph, type DecodeGraph } from "./decode-graph.ts";
export { argmax, sampleToken, type SamplingSettings } from "./sampling.ts";
export { TextGenerator, type GenerateOptions, type Generation, type TextGeneratorOptions } from "./text-generator.ts";
