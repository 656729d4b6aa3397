import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createApiKey } from "../core/auth/api-keys.ts";
import { connectAws, type AwsHandle } from "../core/aws/connect-aws.ts";
import type { Config } from "../core/config/load-config.ts";
import { connectDatabase, type DatabaseHandle } from "../core/db/connect.ts";
import { createLogger, type Logger } from "../core/log/logger.ts";
import { createApp, type GuardtuneApp } from "../functions/app.ts";
import type { AppDeps } from "../functions/deps.ts";
import { closeAll, type BackgroundService, type StackContext } from "./background-service.ts";
import { STACK_SERVICES } from "./services.ts";

export interface Stack {
  url: string;
  port: number;
  app: GuardtuneApp;
  deps: AppDeps;
  config: Config;
  /** The key printed at start-up (embedded mode): the bootstrap key or a fresh one; undefined when none was made. */
  bootstrapKey: string | undefined;
  services: BackgroundService[];
  logger: Logger;
  close(): Promise<void>;
}

export interface StartStackOptions {
  /** Service names to skip (tests start only what they exercise). */
  skipServices?: string[];
  logger?: Logger;
}

/**
 * Starts everything in one process: object store and queues (emulated or real), the database with
 * migrations, the HTTP API, and the background loops. Every part started is stopped by `close()`, in
 * reverse order, even when one of them fails to stop.
 */
export async function startStack(config: Config, opts: StartStackOptions = {}): Promise<Stack> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const cleanups: Array<readonly [string, () => Promise<void>]> = [];
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= closeAll([...cleanups].reverse()));
  try {
    const aws: AwsHandle = await connectAws(config.aws);
    cleanups.push(["object store and queues", () => aws.stop()]);
    const database: DatabaseHandle = await connectDatabase(config.database);
    cleanups.push(["database", () => database.close()]);
    await database.migrate();

    let bootstrapKey: string | undefined;
    if (config.mode === "embedded" || config.bootstrapKey) {
      const created = await createApiKey(database.db, { tenant: "dev", name: "bootstrap", key: config.bootstrapKey });
      bootstrapKey = created.key;
    }

    const services: BackgroundService[] = [];
    const deps: AppDeps = {
      config,
      db: database.db,
      aws,
      logger,
      pingDb: () => database.ping(),
      notify: (topic) => services.find((s) => s.name === topic)?.wake?.(),
    };
    const app = createApp(deps);
    const server = await listen(app, config.http.host, config.http.port);
    cleanups.push(["http server", () => closeServer(server)]);
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.http.host}:${port}`;

    const ctx: StackContext = { config, db: database.db, aws, logger, listen: database.listen, apiUrl: url };
    for (const [name, factory] of STACK_SERVICES) {
      if (opts.skipServices?.includes(name)) continue;
      const service = await factory(ctx);
      if (!service) continue;
      services.push(service);
      cleanups.push([service.name, () => service.close()]);
    }
    return { url, port, app, deps, config, bootstrapKey, services, logger, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

function listen(app: GuardtuneApp, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }, () => resolve(server));
    server.once("error", reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => {
    // Idle keep-alive sockets would otherwise hold the process open.
    if ("closeAllConnections" in server) server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}
