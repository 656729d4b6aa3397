import { ConfigError } from "../core/config/load-config.ts";
import { keysCommand } from "./commands/keys.ts";
import { serveCommand } from "./commands/serve.ts";

// The AWS SDK warns on every process that Node 20 support ends in 2027; the README says so once.
process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION ??= "1";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  serve: { run: () => serveCommand(), help: "start the API and background services (embedded by default)" },
  keys: { run: keysCommand, help: "keys create --tenant NAME: create an API key" },
};

/** Later commands register here (demo, engine, bench). */
export function registerCommand(name: string, run: Command, help: string): void {
  COMMANDS[name] = { run, help };
}

async function main(argv: string[]): Promise<number> {
  const { EXTRA_COMMANDS } = await import("./commands/registry.ts");
  for (const [n, c] of Object.entries(EXTRA_COMMANDS)) registerCommand(n, c.run, c.help);
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const lines = Object.entries(COMMANDS).map(([n, c]) => `  guardtune ${n.padEnd(8)} ${c.help}`);
    process.stderr.write(`usage:\n${lines.join("\n")}\n`);
    return name ? 2 : 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Configuration and a missing execution provider are the operator's to fix: the message says how.
    if (err instanceof ConfigError || (err as { code?: unknown } | null)?.code === "EXECUTION_PROVIDER_UNAVAILABLE")
      process.stderr.write(`guardtune: ${(err as Error).message}\n`);
    else process.stderr.write(`guardtune: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
