import { and, desc, eq, lt, ne } from "drizzle-orm";
import type { Queryable } from "../../core/db/database.ts";
import { datasets, type Dataset, type DatasetPurpose, type DatasetStatus } from "../../core/db/schema.ts";
import { notFound } from "../../core/errors.ts";

/** A tenant's dataset; another tenant's (or a deleted one) is indistinguishable from a missing one: 404. */
export async function getTenantDataset(db: Queryable, tenantId: string, id: string): Promise<Dataset> {
  const [row] = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.id, id), eq(datasets.tenantId, tenantId), ne(datasets.status, "deleted")));
  if (!row) throw notFound("dataset", id, "id");
  return row;
}

export interface ListDatasetsFilter {
  limit: number;
  after?: string | undefined;
  purpose?: DatasetPurpose | undefined;
  status?: DatasetStatus | undefined;
}

/** Newest first. Ids sort by creation time, so the cursor is the last id of the previous page. */
export async function listTenantDatasets(
  db: Queryable,
  tenantId: string,
  f: ListDatasetsFilter,
): Promise<{ rows: Dataset[]; hasMore: boolean; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(datasets)
    .where(
      and(
        eq(datasets.tenantId, tenantId),
        f.status ? eq(datasets.status, f.status) : ne(datasets.status, "deleted"),
        f.purpose ? eq(datasets.purpose, f.purpose) : undefined,
        f.after ? lt(datasets.id, f.after) : undefined,
      ),
    )
    .orderBy(desc(datasets.id))
    .limit(f.limit + 1);
  const hasMore = rows.length > f.limit;
  const page = rows.slice(0, f.limit);
  return { rows: page, hasMore, nextCursor: hasMore ? page[page.length - 1].id : null };
}
