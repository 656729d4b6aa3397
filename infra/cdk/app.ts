import path from "node:path";
import { App } from "aws-cdk-lib";
import * as ecs from "aws-cdk-lib/aws-ecs";
import { GuardtuneStack } from "./guardtune-stack.ts";

// `npx cdk deploy --app "npx tsx infra/cdk/app.ts" -c runnerEp=webgpu -c runners=1`
const app = new App();
const repoRoot = path.resolve(import.meta.dirname, "../..");
const imageUri = app.node.tryGetContext("image") as string | undefined;
new GuardtuneStack(app, "Guardtune", {
  image: imageUri
    ? ecs.ContainerImage.fromRegistry(imageUri)
    : ecs.ContainerImage.fromAsset(repoRoot, {
        file: "gpu-runner/Dockerfile",
        exclude: ["node_modules", ".git", ".guardtune", ".ci", ".scratch", "infra/cdk.out", "bench"],
      }),
  runnerEp: (app.node.tryGetContext("runnerEp") as "webgpu" | "cpu" | undefined) ?? "webgpu",
  runnerCount: Number(app.node.tryGetContext("runners") ?? 1),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
