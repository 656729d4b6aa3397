import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as appscaling from "aws-cdk-lib/aws-applicationautoscaling";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as ecsPatterns from "aws-cdk-lib/aws-ecs-patterns";
import * as iam from "aws-cdk-lib/aws-iam";
import * as rds from "aws-cdk-lib/aws-rds";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { MAX_RECEIVE_COUNT } from "../../core/queue/sqs-queue.ts";

export interface GuardtuneStackProps extends StackProps {
  /** The guardtune image (built from gpu-runner/Dockerfile); the API and the runner run it with different commands. */
  image: ecs.ContainerImage;
  /** `webgpu`: runners on GPU instances (ECS GPU AMI); `cpu`: runners on Fargate. */
  runnerEp: "webgpu" | "cpu";
  /** The most runners behind the one jobs queue; they scale with its depth, down to none when it is empty. */
  runnerCount: number;
  /** Runners on Spot capacity (default true): an interruption notice drains them by SIGTERM. */
  spot?: boolean;
  /** EC2 type of the GPU runners. */
  gpuInstanceType?: string;
}

/**
 * guardtune on AWS: the bucket whose ObjectCreated notifications feed the uploads queue, the jobs queue with
 * its dead-letter queue (5 receives), PostgreSQL on RDS, the API (with the dataset validator, queue relay
 * and webhook dispatcher in-process) behind a load balancer, and the runners.
 */
export class GuardtuneStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly jobsQueue: sqs.Queue;
  readonly uploadsQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: GuardtuneStackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, "Vpc", { maxAzs: 2, natGateways: 1 });

    this.bucket = new s3.Bucket(this, "Data", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Browsers upload straight to presigned URLs; ETag must be readable to complete multipart uploads.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: ["*"],
          allowedHeaders: ["*"],
          exposedHeaders: ["ETag"],
        },
      ],
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });

    const jobsDlq = new sqs.Queue(this, "JobsDlq", { retentionPeriod: Duration.days(14) });
    // The runner renews visibility while it trains; 120 s is the window a crashed runner's job waits.
    this.jobsQueue = new sqs.Queue(this, "Jobs", {
      visibilityTimeout: Duration.seconds(120),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: jobsDlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    this.uploadsQueue = new sqs.Queue(this, "Uploads", { visibilityTimeout: Duration.seconds(300) });
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.uploadsQueue), {
      prefix: "tenants/",
    });

    const db = new rds.DatabaseInstance(this, "Postgres", {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      databaseName: "guardtune",
      credentials: rds.Credentials.fromGeneratedSecret("guardtune"),
      storageEncrypted: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    const dbSecret = db.secret!;

    const environment = {
      AWS_REGION: this.region,
      GUARDTUNE_BUCKET: this.bucket.bucketName,
      GUARDTUNE_JOBS_QUEUE_URL: this.jobsQueue.queueUrl,
      GUARDTUNE_JOBS_DLQ_URL: jobsDlq.queueUrl,
      GUARDTUNE_UPLOADS_QUEUE_URL: this.uploadsQueue.queueUrl,
      // node-postgres takes the password from PGPASSWORD when the URL has none.
      DATABASE_URL: `postgres://guardtune@${db.dbInstanceEndpointAddress}:${db.dbInstanceEndpointPort}/guardtune?sslmode=no-verify`,
      LOG_LEVEL: "info",
    };
    const secrets = { PGPASSWORD: ecs.Secret.fromSecretsManager(dbSecret, "password") };

    const cluster = new ecs.Cluster(this, "Cluster", { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const api = new ecsPatterns.ApplicationLoadBalancedFargateService(this, "Api", {
      cluster,
      cpu: 1024,
      memoryLimitMiB: 2048,
      desiredCount: 2,
      taskImageOptions: {
        image: props.image,
        command: ["serve"],
        containerPort: 8787,
        environment: { ...environment, HOST: "0.0.0.0", PORT: "8787", GUARDTUNE_RUNNER: "off" },
        secrets,
      },
    });
    api.targetGroup.configureHealthCheck({ path: "/readyz", healthyHttpCodes: "200" });

    const spot = props.spot ?? true;
    if (props.runnerEp === "cpu") cluster.enableFargateCapacityProviders();
    const runnerTask =
      props.runnerEp === "webgpu"
        ? new ecs.Ec2TaskDefinition(this, "RunnerTask")
        : new ecs.FargateTaskDefinition(this, "RunnerTask", { cpu: 4096, memoryLimitMiB: 16384 });
    runnerTask.addContainer("runner", {
      image: props.image,
      command: ["runner"],
      environment: {
        ...environment,
        GUARDTUNE_EP: props.runnerEp,
        GUARDTUNE_RUNNER_DRAIN_GRACE: `${RUNNER_DRAIN_GRACE_S}s`,
      },
      secrets,
      memoryReservationMiB: props.runnerEp === "webgpu" ? 8192 : undefined,
      gpuCount: props.runnerEp === "webgpu" ? 1 : undefined,
      // SIGTERM drain (scale-in, deployments, Spot interruption): checkpoint and hand the job back before
      // ECS kills the task. Spot gives two minutes' notice; 120 s is also ECS's largest stop timeout.
      stopTimeout: Duration.seconds(RUNNER_STOP_TIMEOUT_S),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: "runner" }),
    });
    const runner =
      props.runnerEp === "webgpu"
        ? new ecs.Ec2Service(this, "Runner", {
            cluster,
            taskDefinition: runnerTask,
            // Scaling sets the count; none run until there is work.
            desiredCount: 0,
            capacityProviderStrategies: [
              { capacityProvider: this.gpuCapacity(cluster, vpc, props, spot).capacityProviderName, weight: 1 },
            ],
          })
        : new ecs.FargateService(this, "Runner", {
            cluster,
            taskDefinition: runnerTask as ecs.FargateTaskDefinition,
            desiredCount: 0,
            capacityProviderStrategies: [{ capacityProvider: spot ? "FARGATE_SPOT" : "FARGATE", weight: 1 }],
          });
    this.scaleRunnersOnQueueDepth(runner, props.runnerCount);

    for (const task of [api.taskDefinition.taskRole, runnerTask.taskRole]) {
      this.bucket.grantReadWrite(task);
      this.jobsQueue.grantSendMessages(task);
      this.jobsQueue.grantConsumeMessages(task);
      jobsDlq.grantConsumeMessages(task);
    }
    this.uploadsQueue.grantConsumeMessages(api.taskDefinition.taskRole);
    this.uploadsQueue.grantSendMessages(api.taskDefinition.taskRole);
    db.connections.allowDefaultPortFrom(api.service);
    db.connections.allowDefaultPortFrom(runner);
  }

  /**
   * Runner tasks follow the jobs queue's backlog — messages waiting plus messages being trained — one task
   * per job up to `max`, and none when both are zero. Scale-in stops a task with SIGTERM, which drains it:
   * a job still in progress checkpoints and returns to the queue for the runners that stay.
   */
  private scaleRunnersOnQueueDepth(runner: ecs.BaseService, max: number): void {
    const backlog = new cloudwatch.MathExpression({
      expression: "visible + inFlight",
      usingMetrics: {
        visible: this.jobsQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        inFlight: this.jobsQueue.metricApproximateNumberOfMessagesNotVisible({ period: Duration.minutes(1) }),
      },
      label: "jobs backlog",
      period: Duration.minutes(1),
    });
    const scaling = runner.autoScaleTaskCount({ minCapacity: 0, maxCapacity: max });
    scaling.scaleOnMetric("JobsBacklog", {
      metric: backlog,
      adjustmentType: appscaling.AdjustmentType.EXACT_CAPACITY,
      scalingSteps: runnerSteps(max),
      // Scale-in waits for a quiet queue: a job is often in flight between a runner's receive and delete.
      cooldown: Duration.minutes(2),
      evaluationPeriods: 1,
    });
  }

  /**
   * GPU instances in an Auto Scaling group that ECS sizes to the runner tasks (managed scaling, down to
   * zero). On Spot, the ECS agent drains an instance on its interruption notice: its tasks get SIGTERM and
   * the stop timeout to checkpoint, and the jobs go back to the queue.
   */
  private gpuCapacity(
    cluster: ecs.Cluster,
    vpc: ec2.IVpc,
    props: GuardtuneStackProps,
    spot: boolean,
  ): ecs.AsgCapacityProvider {
    const userData = ec2.UserData.forLinux();
    // The agent drains a Spot instance on its two-minute interruption notice (CDK's own option only covers
    // groups with a spot price, not a mixed-instances policy).
    if (spot) userData.addCommands("echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config");
    const group = new autoscaling.AutoScalingGroup(this, "GpuRunners", {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      minCapacity: 0,
      maxCapacity: props.runnerCount,
      mixedInstancesPolicy: {
        instancesDistribution: spot
          ? {
              onDemandBaseCapacity: 0,
              onDemandPercentageAboveBaseCapacity: 0,
              spotAllocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
            }
          : { onDemandPercentageAboveBaseCapacity: 100 },
        launchTemplate: new ec2.LaunchTemplate(this, "GpuRunnerTemplate", {
          instanceType: new ec2.InstanceType(props.gpuInstanceType ?? "g6.xlarge"),
          machineImage: ecs.EcsOptimizedImage.amazonLinux2(ecs.AmiHardwareType.GPU),
          userData,
          role: new iam.Role(this, "GpuRunnerInstanceRole", {
            assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
            managedPolicies: [
              iam.ManagedPolicy.fromAwsManagedPolicyName("service-role/AmazonEC2ContainerServiceforEC2Role"),
            ],
          }),
        }),
      },
    });
    const provider = new ecs.AsgCapacityProvider(this, "GpuRunnerCapacity", {
      autoScalingGroup: group,
      enableManagedScaling: true,
      // Instances running a task are not scaled in under it; the task's own drain decides when it ends.
      enableManagedTerminationProtection: true,
      minimumScalingStepSize: 1,
    });
    cluster.addAsgCapacityProvider(provider);
    return provider;
  }
}

/** Seconds ECS waits after SIGTERM before SIGKILL (its maximum, and Spot's notice). */
export const RUNNER_STOP_TIMEOUT_S = 120;
/** The runner's own drain deadline: checkpoint, hand the job back and exit well before the stop timeout. */
export const RUNNER_DRAIN_GRACE_S = 90;

/** Exact task counts by backlog: 0 → 0, n → n for n < max, ≥ max → max. */
export function runnerSteps(max: number): appscaling.ScalingInterval[] {
  const steps: appscaling.ScalingInterval[] = [{ upper: 1, change: 0 }];
  for (let n = 1; n < max; n++) steps.push({ lower: n, upper: n + 1, change: n });
  steps.push({ lower: max, change: max });
  return steps;
}
