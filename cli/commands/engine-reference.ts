/**
 * `guardtune engine reference`: runs a Hugging Face checkpoint (and optionally a PEFT adapter) through the
 * engine on a fixed batch and writes logits, hidden states, losses, LoRA gradients, AdamW steps and greedy
 * continuations in the layout of transformers/peft golden files, so other tools can compare the two.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AdamW, type ExecutionProvider } from "../../gpu-runner/engine/index.ts";
import {
  checkpointOptions,
  decoderBatch,
  DecoderSession,
  type DecoderBatch,
  type DecoderSessionOptions,
  type LossTerm,
} from "../../gpu-runner/models/decoder/index.ts";
import {
  loadDecoderCheckpoint,
  loadPeftAdapter,
  writeSafetensors,
  type DecoderCheckpoint,
  type F32Tensor,
  type LoraAdapter,
} from "../../gpu-runner/models/index.ts";

const USAGE = `usage: guardtune engine reference --model DIR --inputs INPUTS.json [--adapter PEFT_DIR]
       [--grads ce,kl_theta_ref,kl_ref_theta,ldifs] [--adamw-steps N --lr 1e-2 --weight-decay 0.01]
       [--greedy 16] [--threads N] [--ep cpu|webgpu] --out OUT_DIR
`;
const GRADS = ["ce", "kl_theta_ref", "kl_ref_theta", "ldifs"] as const;
type GradName = (typeof GRADS)[number];

interface ReferenceArgs {
  model: string;
  inputs: string;
  adapter?: string;
  grads: GradName[];
  adamwSteps: number;
  lr: number;
  weightDecay: number;
  greedy: number;
  threads: number;
  ep: ExecutionProvider;
  out: string;
}

interface InputsFile {
  input_ids: number[][];
  attention_mask: number[][];
  labels: number[][];
}

class UsageError extends Error {}

function parse(argv: string[]): ReferenceArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      inputs: { type: "string" },
      adapter: { type: "string" },
      grads: { type: "string" },
      "adamw-steps": { type: "string" },
      lr: { type: "string" },
      "weight-decay": { type: "string" },
      greedy: { type: "string" },
      threads: { type: "string" },
      ep: { type: "string", default: "cpu" },
      out: { type: "string" },
    },
  });
  if (!values.model || !values.inputs || !values.out) throw new UsageError("--model, --inputs and --out are required");
  if (values.ep !== "cpu" && values.ep !== "webgpu")
    throw new UsageError(`--ep must be cpu or webgpu, got '${values.ep}'`);
  const num = (v: string | undefined, name: string, fallback: number, integer = false): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
      throw new UsageError(
        `--${name} must be a ${integer ? "non-negative integer" : "non-negative number"}, got '${v}'`,
      );
    return n;
  };
  const grads = (values.grads ?? "").split(",").filter((s) => s !== "");
  const unknown = grads.filter((g) => !(GRADS as readonly string[]).includes(g));
  if (unknown.length > 0) throw new UsageError(`--grads: unknown ${unknown.join(", ")} (known: ${GRADS.join(", ")})`);
  const args: ReferenceArgs = {
    model: values.model,
    inputs: values.inputs,
    adapter: values.adapter,
    out: values.out,
    grads: grads as GradName[],
    adamwSteps: num(values["adamw-steps"], "adamw-steps", 0, true),
    lr: num(values.lr, "lr", 1e-2),
    weightDecay: num(values["weight-decay"], "weight-decay", 0.01),
    greedy: num(values.greedy, "greedy", 0, true),
    threads: num(values.threads, "threads", 0, true),
    ep: values.ep,
  };
  if ((args.grads.length > 0 || args.adamwSteps > 0) && !args.adapter)
    throw new UsageError("--grads and --adamw-steps need --adapter");
  return args;
}

export async function engineCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "reference") {
    process.stderr.write(USAGE);
    return 2;
  }
  let args: ReferenceArgs;
  try {
    args = parse(rest);
  } catch (e) {
    if (!(e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))) throw e;
    process.stderr.write(`guardtune engine reference: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  await writeReference(args);
  return 0;
}

const tensor = (shape: number[], data: Float32Array): F32Tensor => ({ shape, data });
const adapterParams = (adapter: LoraAdapter) =>
  Object.fromEntries([...adapter.tensors].map(([k, t]) => [k, t.data.slice()]));
const peftTensors = (adapter: LoraAdapter, values: Record<string, Float32Array>) =>
  new Map([...adapter.tensors].map(([k, t]) => [k, tensor([...t.shape], values[k])]));

/** Computes everything the arguments ask for and writes it under `args.out`. */
export async function writeReference(args: ReferenceArgs): Promise<Record<string, unknown>> {
  const checkpoint = await loadDecoderCheckpoint(args.model);
  const adapter = args.adapter ? await loadPeftAdapter(args.adapter, checkpoint.config) : undefined;
  const inputs = JSON.parse(await readFile(args.inputs, "utf8")) as InputsFile;
  const batch = decoderBatch({
    inputIds: inputs.input_ids,
    attentionMask: inputs.attention_mask,
    labels: inputs.labels,
  });
  const L = checkpoint.config.numLayers;
  const allHidden = Array.from({ length: L + 1 }, (_, i) => i);
  const dims = [batch.batchSize, batch.seqLen];
  const sessions: DecoderSession[] = [];
  const open = (options: DecoderSessionOptions) => {
    const s = DecoderSession.create(checkpoint.config, {
      ...checkpointOptions(checkpoint),
      session: { intraOpThreads: args.threads, ep: args.ep },
      ...options,
    });
    sessions.push(s);
    return s;
  };
  await mkdir(args.out, { recursive: true });
  const report: Record<string, unknown> = {};
  try {
    // Base model: logits, every hidden state, losses.
    const base = open({ hiddenStates: allHidden });
    const forward = await base.forward(batch);
    const tensors = new Map<string, F32Tensor>([
      ["logits", tensor([...dims, checkpoint.config.vocabSize], forward.logits!)],
    ]);
    for (const [i, h] of forward.hidden) tensors.set(`hidden_${i}`, tensor([...dims, checkpoint.config.hiddenSize], h));
    const baseLoss = await base.loss(batch);
    report.loss = baseLoss.ce;
    report.per_example_loss = Array.from(baseLoss.perExampleCe);

    if (adapter) {
      const params = adapterParams(adapter);
      const lora = open({ lora: adapter.settings });
      tensors.set(
        "lora_logits",
        tensor([...dims, checkpoint.config.vocabSize], (await lora.forward(batch, params)).logits!),
      );
      const terms = await open({
        lora: adapter.settings,
        objective: { terms: gradObjectives(L).filter((t): t is LossTerm => t !== undefined) },
      }).loss(batch, params);
      report.lora_ce = terms.ce;
      report.kl_theta_ref = terms.terms.kl_theta_ref;
      report.kl_ref_theta = terms.terms.kl_ref_theta;
      report.ldifs_sum_layers_mean_tokens = terms.terms.ldifs;
      for (const name of args.grads) {
        const term = gradObjectives(L)[GRADS.indexOf(name)];
        const s = open({ lora: adapter.settings, objective: term ? { ceWeight: 0, terms: [term] } : {} });
        const r = await s.lossAndGrads(batch, params);
        await writeSafetensors(join(args.out, `grad_${name}.safetensors`), peftTensors(adapter, r.grads));
      }
      if (args.adamwSteps > 0) report.adamw = await adamwSteps(args, adapter, lora, batch, params);
    }
    await writeSafetensors(join(args.out, "reference.safetensors"), tensors);
    if (args.greedy > 0)
      report.greedy = await greedy(
        checkpoint,
        open({}),
        inputs,
        args.greedy,
        await generationEosIds(args.model, checkpoint),
      );
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
  await writeFile(join(args.out, "reference.json"), `${JSON.stringify(report, null, 1)}\n`);
  return report;
}

/** The objective behind each gradient set (the fixture definitions); undefined = plain cross-entropy. */
function gradObjectives(numLayers: number): (LossTerm | undefined)[] {
  const layers = Array.from({ length: numLayers }, (_, i) => i + 1);
  return [
    undefined,
    { kind: "kl", weight: 1, direction: "theta_ref", positions: "supervised" },
    { kind: "kl", weight: 1, direction: "ref_theta", positions: "supervised" },
    { kind: "ldifs", weight: 1, hiddenStates: layers, reduction: "token_mean" },
  ];
}

/** Full-batch AdamW on the cross-entropy; writes the adapter after the last step. */
async function adamwSteps(
  args: ReferenceArgs,
  adapter: LoraAdapter,
  session: DecoderSession,
  batch: DecoderBatch,
  params: Record<string, Float32Array>,
) {
  const betas: [number, number] = [0.9, 0.999];
  const eps = 1e-8;
  const optimizer = new AdamW({ lr: args.lr, weightDecay: args.weightDecay, betas, eps });
  const losses: number[] = [];
  for (let step = 0; step < args.adamwSteps; step++) {
    const r = await session.lossAndGrads(batch, params);
    losses.push(r.loss);
    optimizer.step(params, r.grads);
  }
  await writeSafetensors(
    join(args.out, `lora_after_${args.adamwSteps}_adamw.safetensors`),
    peftTensors(adapter, params),
  );
  return { lr: args.lr, betas, eps, weight_decay: args.weightDecay, losses_before_each_step: losses };
}

/** transformers' generate stops on generation_config.json's eos_token_id, falling back to config.json's. */
async function generationEosIds(modelDir: string, checkpoint: DecoderCheckpoint): Promise<number[]> {
  let raw: string;
  try {
    raw = await readFile(join(modelDir, "generation_config.json"), "utf8");
  } catch {
    return checkpoint.config.eosTokenIds;
  }
  const eos = (JSON.parse(raw) as { eos_token_id?: number | number[] | null }).eos_token_id;
  return eos == null ? checkpoint.config.eosTokenIds : Array.isArray(eos) ? eos : [eos];
}

/**
 * Greedy decoding of the base model from each example's prompt (its ids before the first supervised label,
 * i.e. up to the assistant header), recomputing the whole sequence per token; stops after an eos token.
 */
async function greedy(
  checkpoint: DecoderCheckpoint,
  session: DecoderSession,
  inputs: InputsFile,
  maxTokens: number,
  eosIds: readonly number[],
) {
  const eos = new Set(eosIds);
  const V = checkpoint.config.vocabSize;
  const out: { prompt_ids: number[]; generated_ids: number[] }[] = [];
  for (let b = 0; b < inputs.input_ids.length; b++) {
    const first = inputs.labels[b].findIndex((l) => l !== -100);
    const length = inputs.attention_mask[b].reduce((a, m) => a + m, 0);
    const prompt = inputs.input_ids[b].slice(0, first >= 0 ? first : length);
    const ids = [...prompt];
    const generated: number[] = [];
    while (generated.length < maxTokens) {
      const logits = (await session.forward(decoderBatch({ inputIds: [ids] }))).logits!;
      const last = logits.subarray((ids.length - 1) * V, ids.length * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v; // first maximum, as torch.argmax
      generated.push(best);
      ids.push(best);
      if (eos.has(best)) break;
    }
    out.push({ prompt_ids: prompt, generated_ids: generated });
  }
  return out;
}
