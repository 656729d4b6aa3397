import { timestamp } from "drizzle-orm/pg-core";

/** Timestamps are always `timestamptz`, read as JS Dates. */
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const createdAt = () => ts("created_at").notNull().defaultNow();
/** A non-null timestamp that defaults to now (updated_at, available_at, …). */
export const defaultNowTs = (name: string) => ts(name).notNull().defaultNow();
