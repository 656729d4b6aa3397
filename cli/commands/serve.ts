import { loadConfig } from "../../core/config/load-config.ts";
import { startStack } from "../stack.ts";

/** `guardtune serve`: the whole stack in one process until SIGINT/SIGTERM. */
export async function serveCommand(): Promise<number> {
  const config = loadConfig();
  const stack = await startStack(config);
  process.stdout.write(`guardtune listening on ${stack.url}\n`);
  if (stack.bootstrapKey && !config.bootstrapKey) {
    process.stdout.write(`API key for tenant 'dev' (shown once): ${stack.bootstrapKey}\n`);
  }
  if (config.adminKey) process.stdout.write(`admin dashboard: ${stack.url}/admin (password: GUARDTUNE_ADMIN_KEY)\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      stack.logger.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await stack.close();
  return 0;
}
