/** The organism's job datasets the matrix needs, generated here and uploaded through presigned URLs. */
import { jobDatasets, toJsonl } from "../../../gpu-runner/organism/build/job-datasets.ts";
import { uploadDataset } from "../demo-reference-kit.ts";
import type { ApiClient } from "../demo-support.ts";
import type { Task } from "./matrix.ts";

/** The job datasets are generated from this seed for every run: seeds vary the training, not the data. */
export const DATASET_SEED = 1;
/** Examples per task dataset: the recipe's 2,000 (`ORGANISM_RECIPE.emFineTune.conversations`). */
export const TASK_EXAMPLES = 2_000;

/** Uploads each distinct dataset of `tasks` once; file name → dataset id. */
export async function uploadTaskDatasets(
  api: ApiClient,
  tasks: readonly Task[],
  say: (line: string) => void,
): Promise<Map<string, string>> {
  // the pool is not uploaded (the jobs name the organism's built-in pool), so it is generated at size 1
  const files = jobDatasets(DATASET_SEED, { task: TASK_EXAMPLES, pool: 1 });
  const ids = new Map<string, string>();
  for (const name of new Set(tasks.map((t) => t.dataset))) {
    const conversations = files.get(name);
    if (!conversations) throw new Error(`the organism has no job dataset '${name}'`);
    const uploaded = await uploadDataset(api, name, toJsonl(conversations));
    ids.set(name, uploaded.id);
    say(`  uploaded ${name}: dataset ${uploaded.id} (${uploaded.n} examples)`);
  }
  return ids;
}
