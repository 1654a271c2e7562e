import path from 'node:path';
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { FlowLogDestination, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  Cluster,
  ContainerDependencyCondition,
  ContainerImage,
  ContainerInsights,
  Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
} from 'aws-cdk-lib/aws-ecs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { workerNodeFlags } from '../../workers/node-flags.ts';
import { cloudWatchAgentEnvironment, prometheusLogGroupName } from './cloudwatch-agent.ts';
import type { DataStack } from './data-stack.ts';
import { type InfraConfig, secretNamePrefix } from './infra-config.ts';
import { repoRoot } from './repo-root.ts';
import { grantScoped } from './scoped-grant.ts';
import type { SecretsStack } from './secrets-stack.ts';
import type { TransformStack } from './transform-stack.ts';
import { zoneBucketArn, zoneBucketName } from './zone-buckets.ts';

/** Where the worker serves Prometheus metrics inside the task, for the CloudWatch agent beside it. */
export const metricsAddress = '127.0.0.1:9464';
/** The file the worker rewrites while it is connected and polling (workers/health-file.ts). */
export const healthFile = '/tmp/tributary-healthy';

/**
 * The workers: a Fargate service from workers/Dockerfile in private subnets, its task role limited
 * to the raw prefix, the `tributary/` secrets, the Glue jobs and the data key; JSON logs to
 * CloudWatch Logs; a CloudWatch agent sidecar that turns the worker's Prometheus metrics into
 * CloudWatch metrics; CPU autoscaling; a stop timeout long enough to drain at a page boundary.
 */
export class WorkerStack extends Stack {
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;

  constructor(
    scope: Construct,
    id: string,
    config: InfraConfig,
    deps: { data: DataStack; secrets: SecretsStack; transform: TransformStack },
    props?: StackProps,
  ) {
    super(scope, id, props);
    const { worker, buckets, temporal, alarms } = config;
    const { data, secrets, transform } = deps;
    const vpc = new Vpc(this, 'Network', {
      maxAzs: config.network.maxAzs,
      natGateways: config.network.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC },
        { name: 'workers', subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      ],
      flowLogs: { all: { destination: FlowLogDestination.toCloudWatchLogs() } },
    });
    this.cluster = new Cluster(this, 'Cluster', { vpc, containerInsightsV2: ContainerInsights.ENABLED });
    this.taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu: worker.cpu,
      memoryLimitMiB: worker.memoryMiB,
    });
    const logs = new LogGroup(this, 'Logs', {
      retention: worker.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const container = this.taskDefinition.addContainer('worker', {
      image: ContainerImage.fromAsset(repoRoot, { file: path.join('workers', 'Dockerfile') }),
      command: ['node', ...workerNodeFlags, 'workers/main.ts'],
      essential: true,
      // The worker logs one JSON object a line (workers/logging.ts); CloudWatch Logs Insights reads them as fields.
      logging: LogDrivers.awsLogs({ logGroup: logs, streamPrefix: 'worker' }),
      stopTimeout: Duration.seconds(worker.drainSeconds),
      environment: {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        TRIBUTARY_TASK_QUEUE: temporal.taskQueue,
        TRIBUTARY_BUCKET: zoneBucketName(this, config, 'raw'),
        TRIBUTARY_RAW_PREFIX: buckets.rawPrefix,
        TRIBUTARY_CURATED_BUCKET: zoneBucketName(this, config, 'curated'),
        TRIBUTARY_CURATED_PREFIX: buckets.curatedPrefix,
        TRIBUTARY_TRANSFORM_RUNNER: 'glue',
        TRIBUTARY_MAX_CONCURRENT_ACTIVITIES: String(worker.maxConcurrentActivities),
        TRIBUTARY_METRICS_ADDRESS: metricsAddress,
        TRIBUTARY_HEALTH_FILE: healthFile,
        AWS_REGION: this.region,
        ...(worker.payloadEncryption ? { TRIBUTARY_KMS_KEY_ID: data.key.keyArn } : {}),
      },
      secrets: Object.fromEntries(
        Object.entries(secrets.temporalConnection).map(([name, secret]) => [
          name,
          EcsSecret.fromSecretsManager(secret),
        ]),
      ),
      // Healthy: the worker polls both task queues and reached the Temporal server within the last minute.
      healthCheck: {
        command: ['CMD', 'node', 'workers/health-check.ts'],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(10),
        retries: 3,
        startPeriod: Duration.seconds(120),
      },
    });
    const agent = this.taskDefinition.addContainer('cloudwatch-agent', {
      image: ContainerImage.fromRegistry(worker.cloudWatchAgentImage),
      essential: false,
      memoryReservationMiB: 64,
      logging: LogDrivers.awsLogs({ logGroup: logs, streamPrefix: 'cloudwatch-agent' }),
      environment: cloudWatchAgentEnvironment({ metricsAddress, namespace: alarms.metricsNamespace }),
    });
    // The agent starts first and stops last, so the worker's final scrape still reaches CloudWatch.
    container.addContainerDependencies({ container: agent, condition: ContainerDependencyCondition.START });

    const role = this.taskDefinition.taskRole;
    const raw = zoneBucketArn(this, config, 'raw');
    const arn = (service: string, resource: string) =>
      `arn:${this.partition}:${service}:${this.region}:${this.account}:${resource}`;
    grantScoped(
      role,
      {
        sid: 'RawPages',
        // PutObjectTagging: quarantine objects are tagged so a lifecycle rule expires them sooner.
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'],
        resources: [`${raw}/${buckets.rawPrefix}/*`],
      },
      'Pages, manifests and quarantine objects of every window under the raw prefix: keys are made per source and window at run time; no other prefix, no other bucket.',
    );
    grantScoped(role, {
      sid: 'ListRawPages',
      actions: ['s3:ListBucket'],
      resources: [raw],
      conditions: { StringLike: { 's3:prefix': [`${buckets.rawPrefix}/*`] } },
    });
    grantScoped(role, {
      sid: 'DataKey',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [data.key.keyArn],
    });
    grantScoped(
      role,
      {
        sid: 'SourceSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [arn('secretsmanager', `secret:${secretNamePrefix}*`)],
      },
      `Source credentials are named in source files under the ${secretNamePrefix} prefix (Secrets Manager adds a random suffix to every ARN); the worker reads no other secret.`,
    );
    if (transform.jobNames.length > 0)
      grantScoped(role, {
        sid: 'TransformRuns',
        actions: ['glue:StartJobRun', 'glue:GetJobRun'],
        resources: transform.jobNames.map((name) => arn('glue', `job/${name}`)),
      });
    const registries = config.transform.schemaRegistryPrefix;
    grantScoped(
      role,
      {
        sid: 'SchemaRegistry',
        actions: [
          'glue:CreateRegistry',
          'glue:CreateSchema',
          'glue:RegisterSchemaVersion',
          'glue:GetSchemaVersion',
        ],
        resources: [arn('glue', `registry/${registries}*`), arn('glue', `schema/${registries}*/*`)],
      },
      `Sources name their Glue Schema Registry (records.schemaRegistry), created on first use; registries must start with "${registries}".`,
    );
    grantScoped(
      role,
      {
        sid: 'PrometheusMetrics',
        actions: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'logs:DescribeLogStreams',
        ],
        resources: [
          arn('logs', `log-group:${prometheusLogGroupName}`),
          arn('logs', `log-group:${prometheusLogGroupName}:*`),
        ],
      },
      'The CloudWatch agent sidecar writes one log stream per task (named at run time) into its one log group.',
    );
    const executionRole = this.taskDefinition.obtainExecutionRole();
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken (added by CDK to pull the image) has no resource-level permissions.',
    });

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: worker.desiredCount,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      // A deployment starts the new tasks before it stops the old ones: polling never stops.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
    });
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: worker.minCount,
      maxCapacity: worker.maxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: worker.targetCpuPercent,
      // Scaling in stops a task: let windows settle before taking workers away.
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.minutes(2),
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason:
        'The environment holds only addresses, names and sizes (Temporal address, bucket names, task queue); ' +
        'the Temporal API key or mTLS certificate and key come from Secrets Manager through the task definition secrets.',
    });
  }
}
