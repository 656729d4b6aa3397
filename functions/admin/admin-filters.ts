import { z } from "zod";

/** The time ranges the overview offers; every chart covers one of them, in hourly buckets. */
export const RANGES = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24 } as const;
export type RangeKey = keyof typeof RANGES;

const filtersSchema = z.object({
  range: z.enum(["24h", "7d", "30d"]).catch("24h"),
  /** A tenant id; anything else (or nothing) means all tenants. */
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional()
    .catch(undefined),
});

export interface AdminFilters {
  range: RangeKey;
  tenant: string | undefined;
  /** Epoch ms of the first hour shown and of now. */
  from: number;
  to: number;
}

/** Reads `?range=&tenant=` leniently: a bad value falls back to the default rather than failing the page. */
export function parseFilters(query: Record<string, string | undefined>, now = Date.now()): AdminFilters {
  const f = filtersSchema.parse({ range: query.range, tenant: query.tenant || undefined });
  const hour = 3_600_000;
  const to = now;
  const from = Math.floor(now / hour) * hour - (RANGES[f.range] - 1) * hour;
  return { range: f.range, tenant: f.tenant, from, to };
}

/** The query string that reproduces the filters (for links and the live refresh). */
export function filtersQuery(f: Pick<AdminFilters, "range" | "tenant">): string {
  const q = new URLSearchParams({ range: f.range });
  if (f.tenant) q.set("tenant", f.tenant);
  return q.toString();
}
