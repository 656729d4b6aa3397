import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as ecsPatterns from "aws-cdk-lib/aws-ecs-patterns";
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
  /** Runners behind the one jobs queue. */
  runnerCount: number;
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

    const runnerTask =
      props.runnerEp === "webgpu"
        ? this.gpuRunnerTask(cluster, props)
        : new ecs.FargateTaskDefinition(this, "RunnerTask", { cpu: 4096, memoryLimitMiB: 16384 });
    runnerTask.addContainer("runner", {
      image: props.image,
      command: ["runner"],
      environment: { ...environment, GUARDTUNE_EP: props.runnerEp },
      secrets,
      memoryReservationMiB: props.runnerEp === "webgpu" ? 8192 : undefined,
      gpuCount: props.runnerEp === "webgpu" ? 1 : undefined,
      // SIGTERM drain: checkpoint and hand the job back before ECS kills the task.
      stopTimeout: Duration.seconds(60),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: "runner" }),
    });
    const runner =
      props.runnerEp === "webgpu"
        ? new ecs.Ec2Service(this, "Runner", { cluster, taskDefinition: runnerTask, desiredCount: props.runnerCount })
        : new ecs.FargateService(this, "Runner", {
            cluster,
            taskDefinition: runnerTask as ecs.FargateTaskDefinition,
            desiredCount: props.runnerCount,
          });

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

  private gpuRunnerTask(cluster: ecs.Cluster, props: GuardtuneStackProps): ecs.Ec2TaskDefinition {
    cluster.addCapacity("GpuRunners", {
      instanceType: new ec2.InstanceType(props.gpuInstanceType ?? "g6.xlarge"),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2(ecs.AmiHardwareType.GPU),
      minCapacity: props.runnerCount,
      maxCapacity: props.runnerCount,
    });
    return new ecs.Ec2TaskDefinition(this, "RunnerTask");
  }
}
