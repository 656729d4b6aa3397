import { createApiKey } from "../../core/auth/api-keys.ts";
import { startEmbeddedAws, type EmbeddedAws } from "../../core/aws/embedded-aws.ts";
import type { Config } from "../../core/config/load-config.ts";
import { createLogger } from "../../core/log/logger.ts";
import { createApp, type GuardtuneApp } from "../../functions/app.ts";
import type { AppDeps } from "../../functions/deps.ts";
import { testConfig } from "./test-config.ts";
import { createTestDatabase, type TestDatabase } from "./test-db.ts";

export interface TestApp {
  app: GuardtuneApp;
  deps: AppDeps;
  aws: EmbeddedAws;
  database: TestDatabase;
  config: Config;
  /** A key of tenant "acme" and one of tenant "globex" (for cross-tenant checks). */
  apiKey: string;
  otherApiKey: string;
  tenantId: string;
  otherTenantId: string;
  /** `app.request` with the tenant's bearer key and JSON handling. */
  request(path: string, init?: RequestInit & { json?: unknown; key?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

/** The Hono app over a real isolated database and the S3/SQS emulator, for `app.request()` tests. */
export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const aws = await startEmbeddedAws();
  const database = await createTestDatabase();
  const deps: AppDeps = {
    config,
    db: database.db,
    aws,
    logger: createLogger("silent"),
    pingDb: () => database.ping(),
  };
  const app = createApp(deps);
  const acme = await createApiKey(database.db, { tenant: "acme" });
  const globex = await createApiKey(database.db, { tenant: "globex" });
  const request = (path: string, init: RequestInit & { json?: unknown; key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const key = init.key === undefined ? acme.key : init.key;
    if (key) headers.set("authorization", `Bearer ${key}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    return Promise.resolve(app.request(path, { ...init, headers, body }));
  };
  return {
    app,
    deps,
    aws,
    database,
    config,
    apiKey: acme.key,
    otherApiKey: globex.key,
    tenantId: acme.tenantId,
    otherTenantId: globex.tenantId,
    request,
    close: async () => {
      await database.close();
      await aws.stop();
    },
  };
}
