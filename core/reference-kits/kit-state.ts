/**
 * A reference kit's state, read from its members' jobs (core/db/schema/reference-kits.ts): the API shows it,
 * the runner picks the model's newest `ready` kit. An adapter joins the kit when its job succeeds.
 */
import { desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "../db/database.ts";
import { jobs, referenceKitMembers, referenceKits, type JobStatus, type ReferenceKit } from "../db/schema.ts";

/** `building` while a job is unfinished; then `ready` with at least one adapter, else `failed`. */
export type KitStatus = "building" | "ready" | "failed";

export interface KitMemberState {
  readonly jobId: string;
  readonly datasetId: string;
  readonly domain: string;
  readonly jobStatus: JobStatus;
}

export interface KitState extends ReferenceKit {
  readonly status: KitStatus;
  readonly members: readonly KitMemberState[];
}

const UNFINISHED: readonly JobStatus[] = ["validating_files", "queued", "running", "cancelling"];

export function kitStatus(members: readonly Pick<KitMemberState, "jobStatus">[]): KitStatus {
  if (members.some((m) => UNFINISHED.includes(m.jobStatus))) return "building";
  return members.some((m) => m.jobStatus === "succeeded") ? "ready" : "failed";
}

/** The kits' states, in the order given. */
export async function kitStates(db: Queryable, kits: readonly ReferenceKit[]): Promise<KitState[]> {
  if (kits.length === 0) return [];
  const rows = await db
    .select({
      kitId: referenceKitMembers.kitId,
      jobId: referenceKitMembers.jobId,
      datasetId: referenceKitMembers.datasetId,
      domain: referenceKitMembers.domain,
      jobStatus: jobs.status,
    })
    .from(referenceKitMembers)
    .innerJoin(jobs, eq(jobs.id, referenceKitMembers.jobId))
    .where(
      inArray(
        referenceKitMembers.kitId,
        kits.map((k) => k.id),
      ),
    )
    .orderBy(referenceKitMembers.jobId);
  return kits.map((kit) => {
    const members = rows.filter((r) => r.kitId === kit.id).map(({ kitId: _, ...m }) => m);
    return { ...kit, members, status: kitStatus(members) };
  });
}

/** The newest `ready` kit built for `model`, or null. */
export async function newestReadyKit(db: Queryable, model: string): Promise<KitState | null> {
  const kits = await db
    .select()
    .from(referenceKits)
    .where(eq(referenceKits.model, model))
    .orderBy(desc(referenceKits.id));
  return (await kitStates(db, kits)).find((k) => k.status === "ready") ?? null;
}
