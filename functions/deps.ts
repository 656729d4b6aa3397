import type { AwsResources } from "../core/aws/resources.ts";
import type { Config } from "../core/config/load-config.ts";
import type { Database } from "../core/db/database.ts";
import type { ApiKeyScope, Tenant } from "../core/db/schema.ts";
import type { Logger } from "../core/log/logger.ts";

/** Everything a handler needs, injected once when the app is built. */
export interface AppDeps {
  config: Config;
  db: Database;
  aws: AwsResources;
  logger: Logger;
  /** Database readiness probe (a cheap round trip). */
  pingDb: () => Promise<void>;
  /** Hook the embedded stack uses to wake background loops early (e.g. after a commit that queued work). */
  notify?: (topic: "jobs-outbox" | "webhook-dispatcher" | "uploads") => void;
}

export interface AppEnv {
  Variables: {
    tenant: Tenant;
    apiKeyId: string;
    /** The key's scopes beyond its tenant's own resources (`admin`). */
    scopes: readonly ApiKeyScope[];
    requestId: string;
  };
}
