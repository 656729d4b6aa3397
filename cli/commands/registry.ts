// Commands beyond serve/keys register themselves here (demo, engine, bench) so that main.ts stays small.
import { engineCommand } from "./engine-reference.ts";
import { benchCommand } from "./bench.ts";
import { demoCommand } from "./demo.ts";
import { emulatorCommand } from "./emulator.ts";
import { runnerCommand } from "./runner.ts";

// A table rather than calls into main.ts, which would make an import cycle.
export const EXTRA_COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  engine: {
    run: engineCommand,
    help: "reference --model DIR --inputs JSON --out DIR: engine outputs in the transformers fixture layout",
  },
  bench: { run: benchCommand, help: "matmul|train|score [--preset bench-small] [--json]: engine and model throughput" },
  runner: {
    run: () => runnerCommand(),
    help: "the worker only, against DATABASE_URL and GUARDTUNE_BUCKET (SIGTERM drains)",
  },
  emulator: {
    run: emulatorCommand,
    help: "[--port P] [--env-file FILE]: the S3/SQS emulator as its own process; writes the variables serve/runner need",
  },
  demo: { run: demoCommand, help: "train a guarded adapter end to end on the embedded stack and print the result" },
};
