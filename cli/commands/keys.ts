import { parseArgs } from "node:util";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { loadConfig } from "../../core/config/load-config.ts";
import { connectDatabase } from "../../core/db/connect.ts";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../core/db/schema.ts";

/** `guardtune keys create --tenant NAME [--name LABEL] [--scope admin]`: prints a new API key once. */
export async function keysCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "create") {
    process.stderr.write("usage: guardtune keys create --tenant NAME [--name LABEL] [--scope admin]\n");
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { tenant: { type: "string" }, name: { type: "string" }, scope: { type: "string", multiple: true } },
  });
  if (!values.tenant) {
    process.stderr.write("guardtune keys create: --tenant NAME is required\n");
    return 2;
  }
  const scopes = values.scope ?? [];
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    process.stderr.write(
      `guardtune keys create: unknown scope '${unknown[0]}'; scopes are: ${API_KEY_SCOPES.join(", ")}\n`,
    );
    return 2;
  }
  const config = loadConfig();
  const database = await connectDatabase(config.database);
  try {
    await database.migrate();
    const { key, tenantId } = await createApiKey(database.db, {
      tenant: values.tenant,
      name: values.name,
      scopes: scopes as ApiKeyScope[],
    });
    process.stdout.write(`${key}\n`);
    process.stderr.write(`created an API key for tenant '${values.tenant}' (${tenantId}); it is not shown again\n`);
  } finally {
    await database.close();
  }
  return 0;
}
