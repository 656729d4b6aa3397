import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as ecs from "aws-cdk-lib/aws-ecs";
import { beforeAll, describe, expect, it } from "vitest";
import { GuardtuneStack } from "./guardtune-stack.ts";

let template: Template;
beforeAll(() => {
  const app = new App();
  const stack = new GuardtuneStack(app, "Test", {
    image: ecs.ContainerImage.fromRegistry("example.com/guardtune:test"),
    runnerEp: "webgpu",
    runnerCount: 1,
    env: { account: "123456789012", region: "eu-west-1" },
  });
  template = Template.fromStack(stack);
});

describe("the AWS deployment", () => {
  it("dead-letters the jobs queue after 5 receives", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
      VisibilityTimeout: 120,
    });
  });

  it("sends the bucket's ObjectCreated notifications for uploads to the uploads queue", () => {
    template.hasResourceProperties("Custom::S3BucketNotifications", {
      NotificationConfiguration: Match.objectLike({
        QueueConfigurations: [Match.objectLike({ Events: ["s3:ObjectCreated:*"] })],
      }),
    });
  });

  it("runs the API and a GPU runner from one image with the configuration the code reads", () => {
    const defs = template.findResources("AWS::ECS::TaskDefinition");
    const containers = Object.values(defs).flatMap(
      (d) =>
        (
          d as {
            Properties: {
              ContainerDefinitions: Array<{
                Command: string[];
                Environment: Array<{ Name: string }>;
                ResourceRequirements?: unknown[];
              }>;
            };
          }
        ).Properties.ContainerDefinitions,
    );
    const commands = containers.map((c) => c.Command[0]).sort();
    expect(commands).toEqual(["runner", "serve"]);
    for (const c of containers) {
      const names = c.Environment.map((e) => e.Name);
      expect(names).toEqual(
        expect.arrayContaining([
          "DATABASE_URL",
          "GUARDTUNE_BUCKET",
          "GUARDTUNE_JOBS_QUEUE_URL",
          "GUARDTUNE_UPLOADS_QUEUE_URL",
          "AWS_REGION",
        ]),
      );
    }
    const runner = containers.find((c) => c.Command[0] === "runner");
    expect(runner?.ResourceRequirements).toEqual([{ Type: "GPU", Value: "1" }]);
  });

  it("keeps the database private and encrypted", () => {
    template.hasResourceProperties("AWS::RDS::DBInstance", {
      Engine: "postgres",
      StorageEncrypted: true,
      PubliclyAccessible: false,
    });
  });
});
