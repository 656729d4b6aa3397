/** The dependency direction, enforced: core is shared; functions and gpu-runner never import each other. */
module.exports = {
  forbidden: [
    {
      name: "engine-is-standalone",
      comment: "The training engine imports nothing of the service (not even core).",
      severity: "error",
      from: { path: "^gpu-runner/engine/" },
      to: { path: "^(core|functions|cli|gpu-runner/(?!engine/))" },
    },
    {
      name: "functions-not-runner",
      severity: "error",
      from: { path: "^functions/" },
      to: { path: "^gpu-runner/" },
    },
    {
      name: "runner-not-functions",
      severity: "error",
      from: { path: "^gpu-runner/" },
      to: { path: "^functions/" },
    },
    {
      name: "core-is-a-leaf",
      comment: "core/ is shared by both sides and depends on neither.",
      severity: "error",
      from: { path: "^core/" },
      to: { path: "^(functions|gpu-runner|cli)/" },
    },
    {
      name: "nothing-imports-the-cli",
      comment: "cli/ is the composition root (embedded stack, commands); only benchmarks, which boot it, use it.",
      severity: "error",
      from: { path: "^(core|functions|gpu-runner)/" },
      to: { path: "^cli/" },
    },
    {
      name: "organism-is-a-consumer",
      comment:
        "The model organism (world, exact judge, build) uses the engine, models and training; those never depend on it.",
      severity: "error",
      from: { path: "^gpu-runner/(engine|models|training|generation|scoring)/" },
      to: { path: "^gpu-runner/organism/" },
    },
    {
      name: "organism-outside-the-job-path",
      comment: "The organism is built and evaluated offline; it never reaches into the worker or the job pipeline.",
      severity: "error",
      from: { path: "^gpu-runner/organism/" },
      to: { path: "^(functions|gpu-runner/(worker|pipeline))/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    exclude: { path: "(^node_modules|\\.test\\.ts$)" },
  },
};
