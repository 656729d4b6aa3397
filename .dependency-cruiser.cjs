/**
 * The dependency direction, enforced over the whole tree (service, CLI, benchmarks and tests): core is shared;
 * functions and gpu-runner never import each other; the engine uses no npm package but onnxruntime-node.
 * Tests may reach across the sides (an end-to-end test drives both); nothing else imports a test.
 */
const TEST = "(^test/|\\.test\\.ts$)";
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
      name: "engine-npm-is-onnxruntime-only",
      comment:
        "The engine depends on node builtins and onnxruntime-node only, so it can be lifted out whole; the optional " +
        "webgpu package (Dawn) only reads the adapter's identity and limits for `guardtune doctor`. Tests may use vitest.",
      severity: "error",
      from: { path: "^gpu-runner/engine/", pathNot: "(\\.test\\.ts$|^gpu-runner/engine/testing/)" },
      to: {
        dependencyTypes: ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-bundled", "npm-no-pkg", "npm-unknown"],
        pathNot: "node_modules/(onnxruntime-node|webgpu)/",
      },
    },
    {
      name: "onnxruntime-in-one-file",
      comment:
        "onnxruntime-node is imported by gpu-runner/engine/runtime/ort-runtime.ts only, and by its worker-thread half.",
      severity: "error",
      from: { pathNot: "^gpu-runner/engine/runtime/(ort-runtime\\.ts|ort-worker\\.mjs)$" },
      to: { path: "node_modules/onnxruntime-node/" },
    },
    {
      name: "nothing-imports-tests",
      comment: "Test files and test/ helpers are reached from tests only.",
      severity: "error",
      from: { path: "^(core|functions|gpu-runner|cli|bench|infra)/", pathNot: TEST },
      to: { path: TEST },
    },
    {
      name: "functions-not-runner",
      severity: "error",
      from: { path: "^functions/", pathNot: TEST },
      to: { path: "^gpu-runner/" },
    },
    {
      name: "runner-not-functions",
      severity: "error",
      from: { path: "^gpu-runner/", pathNot: TEST },
      to: { path: "^functions/" },
    },
    {
      name: "core-is-a-leaf",
      comment: "core/ is shared by both sides and depends on neither.",
      severity: "error",
      from: { path: "^core/", pathNot: TEST },
      to: { path: "^(functions|gpu-runner|cli)/" },
    },
    {
      name: "nothing-imports-the-cli",
      comment: "cli/ is the composition root (embedded stack, commands); only benchmarks, which boot it, use it.",
      severity: "error",
      from: { path: "^(core|functions|gpu-runner)/", pathNot: TEST },
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
  },
};
