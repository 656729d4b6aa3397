import { sql, type SQL } from "drizzle-orm";
import { boolean, doublePrecision, jsonb, text } from "drizzle-orm/pg-core";

/*
 * The safety facts of a finished job, lifted out of `config` and `result` into stored generated columns.
 * The admin safety views aggregate tens of thousands of jobs; reading these narrow columns avoids
 * de-TOASTing every job's whole `result` (which carries sample answers). Each expression checks the JSON
 * type before casting, so an unexpected result shape yields NULL and can never make a job's write fail.
 */

/** A JSON number at `path` of `column` as double precision, else NULL. */
const jsonNumber = (column: string, path: string): SQL =>
  sql.raw(
    `case when jsonb_typeof(${column} #> '${path}') = 'number' then (${column} #> '${path}')::double precision end`,
  );
const jsonText = (column: string, path: string): SQL =>
  sql.raw(`case when jsonb_typeof(${column} #> '${path}') = 'string' then ${column} #>> '${path}' end`);
const jsonBool = (column: string, path: string): SQL =>
  sql.raw(`case when jsonb_typeof(${column} #> '${path}') = 'boolean' then (${column} #> '${path}')::boolean end`);

export const jobSafetyColumns = {
  /** `["kl", "interleave"]`: the types of `config.safeguards`, in order (`[]` = plain fine-tuning). */
  safeguardTypes: jsonb("safeguard_types")
    .$type<string[]>()
    .generatedAlwaysAs(sql.raw(`jsonb_path_query_array(config, '$.safeguards[*].type')`)),
  /** The misalignment gate's verdict (`result.gate.passed`); NULL when the job had no gate. */
  gatePassed: boolean("gate_passed").generatedAlwaysAs(jsonBool("result", "{gate,passed}")),
  gateMetric: text("gate_metric").generatedAlwaysAs(jsonText("result", "{gate,metric}")),
  gateIncrease: doublePrecision("gate_increase").generatedAlwaysAs(jsonNumber("result", "{gate,increase}")),
  /** Judge: share of broad answers rated misaligned, base model (adapter off) and fine-tuned. */
  judgeMisalignedBase: doublePrecision("judge_misaligned_base").generatedAlwaysAs(
    jsonNumber("result", "{evaluation,base,broad,misaligned_fraction}"),
  ),
  judgeMisalignedTuned: doublePrecision("judge_misaligned_tuned").generatedAlwaysAs(
    jsonNumber("result", "{evaluation,fine_tuned,broad,misaligned_fraction}"),
  ),
  /** Judge: share of broad answers rated incoherent (coherence below the judge's bar). */
  incoherentBase: doublePrecision("incoherent_base").generatedAlwaysAs(
    jsonNumber("result", "{evaluation,base,broad,incoherent_fraction}"),
  ),
  incoherentTuned: doublePrecision("incoherent_tuned").generatedAlwaysAs(
    jsonNumber("result", "{evaluation,fine_tuned,broad,incoherent_fraction}"),
  ),
  /** Likelihood probe: share of pairs where the model prefers the misaligned answer. */
  probeMisalignedBase: doublePrecision("probe_misaligned_base").generatedAlwaysAs(
    jsonNumber("result", "{evaluation,base,probe,prefer_misaligned_fraction}"),
  ),
  probeMisalignedTuned: doublePrecision("probe_misaligned_tuned").generatedAlwaysAs(
    jsonNumber("result", "{evaluation,fine_tuned,probe,prefer_misaligned_fraction}"),
  ),
  /** The interleave safeguard's D_safe selection (`result.safeguards.interleave`). */
  interleaveSelection: text("interleave_selection").generatedAlwaysAs(
    jsonText("result", "{safeguards,interleave,selection}"),
  ),
  interleaveCandidates: doublePrecision("interleave_candidates").generatedAlwaysAs(
    jsonNumber("result", "{safeguards,interleave,candidates}"),
  ),
  interleaveSelected: doublePrecision("interleave_selected").generatedAlwaysAs(
    jsonNumber("result", "{safeguards,interleave,selected}"),
  ),
  interleaveDistinct: doublePrecision("interleave_distinct").generatedAlwaysAs(
    jsonNumber("result", "{safeguards,interleave,distinct}"),
  ),
  interleaveRefusalsDropped: doublePrecision("interleave_refusals_dropped").generatedAlwaysAs(
    jsonNumber("result", "{safeguards,interleave,refusalsDropped}"),
  ),
  /** The highest perplexity-gap score among the selected candidates. */
  interleaveTopScore: doublePrecision("interleave_top_score").generatedAlwaysAs(
    jsonNumber("result", "{safeguards,interleave,top,0,score}"),
  ),
};
