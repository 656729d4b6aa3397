import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".guardtune/**",
      ".device/**",
      ".scratch/**",
      "dist/**",
      "infra/cdk.out/**",
      "migrations/**",
      ".dependency-cruiser.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/ban-ts-comment": [
        "error",
        { "ts-ignore": true, "ts-expect-error": "allow-with-description" },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "onnxruntime-node",
              message: "Import onnxruntime-node only in gpu-runner/engine/runtime/ort-runtime.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["gpu-runner/engine/runtime/ort-runtime.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["bin/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
