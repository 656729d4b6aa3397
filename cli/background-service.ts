import type { AwsResources } from "../core/aws/resources.ts";
import type { Config } from "../core/config/load-config.ts";
import type { ListenFn } from "../core/db/connect.ts";
import type { Database } from "../core/db/database.ts";
import type { Logger } from "../core/log/logger.ts";

/** What a background loop of the stack (runner, webhook dispatcher, relays) gets when it starts. */
export interface StackContext {
  config: Config;
  db: Database;
  aws: AwsResources;
  logger: Logger;
  /** LISTEN on the database (wakes services on NOTIFY). */
  listen: ListenFn;
  /** The API's base URL once it listens (for services that call it, e.g. the demo). */
  apiUrl: string;
}

/**
 * A long-running part of the embedded stack (a `Loop`, or several behind one name): started after the API
 * listens, closed before the database closes.
 */
export interface BackgroundService {
  readonly name: string;
  /** Stops it and waits for the work in hand; idempotent. */
  close(): Promise<void>;
  /** Optional: wake the service now instead of at its next poll. */
  wake?(): void;
}

export type ServiceFactory = (ctx: StackContext) => Promise<BackgroundService | null>;

/** Runs every cleanup even when some fail; reports all failures together. */
export async function closeAll(cleanups: ReadonlyArray<readonly [string, () => Promise<void>]>): Promise<void> {
  const failures: Error[] = [];
  for (const [name, cleanup] of cleanups) {
    try {
      await cleanup();
    } catch (err) {
      failures.push(new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} cleanups failed`);
}
