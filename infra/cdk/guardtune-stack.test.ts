import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as ecs from "aws-cdk-lib/aws-ecs";
import { beforeAll, describe, expect, it } from "vitest";
import { GuardtuneStack, RUNNER_DRAIN_GRACE_S, RUNNER_STOP_TIMEOUT_S, runnerSteps } from "./guardtune-stack.ts";

const synth = (runnerEp: "webgpu" | "cpu", runnerCount: number) =>
  Template.fromStack(
    new GuardtuneStack(new App(), "Test", {
      image: ecs.ContainerImage.fromRegistry("example.com/guardtune:test"),
      runnerEp,
      runnerCount,
      env: { account: "123456789012", region: "eu-west-1" },
    }),
  );

let template: Template;
let cpuTemplate: Template;
beforeAll(() => {
  template = synth("webgpu", 1);
  cpuTemplate = synth("cpu", 4);
}, 180_000); // two synths: seconds on an idle machine

interface ContainerDefinition {
  Command: string[];
  Environment: Array<{ Name: string; Value: unknown }>;
  StopTimeout?: number;
}
const containersOf = (t: Template): ContainerDefinition[] =>
  Object.values(t.findResources("AWS::ECS::TaskDefinition")).flatMap(
    (d) => (d as { Properties: { ContainerDefinitions: ContainerDefinition[] } }).Properties.ContainerDefinitions,
  );

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

  it("scales runners on the jobs queue's backlog (waiting + in flight), to zero when it is empty", () => {
    for (const [t, max] of [
      [template, 1],
      [cpuTemplate, 4],
    ] as const) {
      t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 0,
        MaxCapacity: max,
      });
      const policies = Object.values(t.findResources("AWS::ApplicationAutoScaling::ScalingPolicy")).map(
        (p) =>
          (
            p as {
              Properties: {
                StepScalingPolicyConfiguration: {
                  AdjustmentType: string;
                  StepAdjustments: Array<{ ScalingAdjustment: number }>;
                };
              };
            }
          ).Properties.StepScalingPolicyConfiguration,
      );
      expect(policies.every((p) => p.AdjustmentType === "ExactCapacity")).toBe(true);
      const counts = policies.flatMap((p) => p.StepAdjustments.map((s) => s.ScalingAdjustment)).sort();
      expect(counts).toEqual(Array.from({ length: max + 1 }, (_, n) => n));
      const alarms = Object.values(t.findResources("AWS::CloudWatch::Alarm")).map((a) =>
        JSON.stringify((a as { Properties: unknown }).Properties),
      );
      expect(alarms.length).toBeGreaterThan(0);
      for (const a of alarms) {
        expect(a).toContain("ApproximateNumberOfMessagesVisible");
        expect(a).toContain("ApproximateNumberOfMessagesNotVisible");
        expect(a).toContain("JobsDF1CC2D4"); // the jobs queue, not the uploads queue or the DLQ
      }
    }
    expect(runnerSteps(3).map((s) => [s.lower, s.upper, s.change])).toEqual([
      [undefined, 1, 0],
      [1, 2, 1],
      [2, 3, 2],
      [3, undefined, 3],
    ]);
  });

  it("runs GPU runners on Spot instances that ECS drains on an interruption notice, sized to the tasks", () => {
    template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", {
      MinSize: "0",
      MixedInstancesPolicy: Match.objectLike({
        InstancesDistribution: Match.objectLike({ OnDemandPercentageAboveBaseCapacity: 0 }),
      }),
    });
    const templates = Object.values(template.findResources("AWS::EC2::LaunchTemplate"));
    expect(JSON.stringify(templates)).toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
    expect(JSON.stringify(templates)).toContain("ECS_CLUSTER="); // the instances join the runners' cluster
    template.hasResourceProperties("AWS::ECS::CapacityProvider", {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ Status: "ENABLED" }) }),
    });
    template.hasResourceProperties("AWS::ECS::Service", {
      DesiredCount: 0,
      CapacityProviderStrategy: [Match.objectLike({ Weight: 1 })],
    });
  });

  it("runs CPU runners on Fargate Spot", () => {
    cpuTemplate.hasResourceProperties("AWS::ECS::Service", {
      DesiredCount: 0,
      CapacityProviderStrategy: [{ CapacityProvider: "FARGATE_SPOT", Weight: 1 }],
    });
  });

  it("gives a stopped runner time to drain: SIGTERM, its drain deadline, then the stop timeout", () => {
    for (const t of [template, cpuTemplate]) {
      const runner = containersOf(t).find((c) => c.Command[0] === "runner")!;
      expect(runner.StopTimeout).toBe(RUNNER_STOP_TIMEOUT_S);
      const grace = runner.Environment.find((e) => e.Name === "GUARDTUNE_RUNNER_DRAIN_GRACE")?.Value;
      expect(grace).toBe(`${RUNNER_DRAIN_GRACE_S}s`);
      expect(RUNNER_DRAIN_GRACE_S).toBeLessThan(RUNNER_STOP_TIMEOUT_S);
    }
  });
});
