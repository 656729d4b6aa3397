// Commands beyond serve/keys, each loaded only when it runs: a deployment image without bench/ or the
// organism's build tooling still starts `serve` and `runner`.
type Command = { run: (argv: string[]) => Promise<number>; help: string };

// A table rather than calls into main.ts, which would make an import cycle.
export const EXTRA_COMMANDS: Record<string, Command> = {
  engine: {
    run: async (argv) => (await import("./engine-reference.ts")).engineCommand(argv),
    help: "reference --model DIR --inputs JSON --out DIR: engine outputs in the transformers fixture layout",
  },
  bench: {
    run: async (argv) => (await import("./bench.ts")).benchCommand(argv),
    help: "matmul|train|score|generate [--preset bench-small|bench-medium] [--ep cpu|webgpu] [--json]: engine and model throughput",
  },
  runner: {
    run: async () => (await import("./runner.ts")).runnerCommand(),
    help: "the worker only, against DATABASE_URL and GUARDTUNE_BUCKET (SIGTERM drains)",
  },
  doctor: {
    run: async (argv) => (await import("./doctor.ts")).doctorCommand(argv),
    help: "[--ep webgpu] [--model M] [--json]: WebGPU adapter and where ORT places each graph's nodes",
  },
  organism: {
    run: async (argv) => (await import("./organism.ts")).organismCommand(argv),
    help: "build|datasets|eval: the model organism of emergent misalignment (docs/organism.md)",
  },
  emulator: {
    run: async (argv) => (await import("./emulator.ts")).emulatorCommand(argv),
    help: "[--port P] [--out FILE]: the S3/SQS emulator as its own process; writes the variables serve/runner need",
  },
  demo: {
    run: async (argv) => (await import("./demo.ts")).demoCommand(argv),
    help: "train a guarded adapter end to end on the embedded stack and print the result",
  },
  "paper-table": {
    run: async (argv) => (await import("./paper-table/command.ts")).paperTableCommand(argv),
    help: "[--seeds N] [--quick] [--domains all] [--out DIR] [--json]: the paper's defense table on the model organism",
  },
  ...backgroundCommands(),
};

/** `guardtune relay|sweeper|rollups|dispatcher|uploads|dlq`: each background function on its own, loaded when run. */
function backgroundCommands(): typeof EXTRA_COMMANDS {
  const names = ["relay", "sweeper", "rollups", "dispatcher", "uploads", "dlq"] as const;
  const help: Record<(typeof names)[number], string> = {
    relay: "the jobs outbox relay only, against DATABASE_URL and the jobs queue",
    sweeper: "the jobs queue sweeper only (lost messages through the outbox, orphaned cancellations)",
    rollups: "the admin views' rollup refresh only (stored hours and days), against DATABASE_URL",
    dispatcher: "the webhook dispatcher only, against DATABASE_URL",
    uploads: "the uploads consumer only (dataset validation), against DATABASE_URL and the uploads queue",
    dlq: "the dead-letter consumer only, against DATABASE_URL and GUARDTUNE_JOBS_DLQ_URL",
  };
  return Object.fromEntries(
    names.map((name) => [
      name,
      { run: async () => (await import("./background.ts")).backgroundCommand(name), help: help[name] },
    ]),
  );
}
