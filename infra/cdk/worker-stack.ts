import path from 'node:path';
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { FlowLogDestination, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  Secret as EcsSecret,
  type FargateService,
} from 'aws-cdk-lib/aws-ecs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { prometheusLogGroupName } from './cloudwatch-agent.ts';
import type { DataStack } from './data-stack.ts';
import { ecrImage } from './ecr-image.ts';
import { type InfraConfig, secretNamePrefix } from './infra-config.ts';
import { repoRoot } from './repo-root.ts';
import { grantScoped } from './scoped-grant.ts';
import type { SecretsStack } from './secrets-stack.ts';
import type { TransformStack } from './transform-stack.ts';
import { addWorkerService } from './worker-service.ts';
import { zoneBucketArn, zoneBucketName } from './zone-buckets.ts';

/**
 * The workers: Fargate services in private subnets, their one task role limited to the raw
 * prefix, the `tributary/` secrets, the Glue jobs and the data key; JSON logs to CloudWatch Logs.
 * Without `worker.builds`, one unversioned service built from workers/Dockerfile; with them, one
 * service per build, each polling as its version of the Worker Deployment, so an old build's tasks
 * stay until its pinned windows are done (README, "Canary deploys on ECS").
 */
export class WorkerStack extends Stack {
  readonly cluster: Cluster;
  /** One per build, in the order of `worker.builds`; the unversioned service alone without them. */
  readonly services: FargateService[];

  constructor(
    scope: Construct,
    id: string,
    config: InfraConfig,
    deps: { data: DataStack; secrets: SecretsStack; transform: TransformStack },
    props?: StackProps,
  ) {
    super(scope, id, props);
    const { worker, buckets, temporal } = config;
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
    const logs = new LogGroup(this, 'Logs', {
      retention: worker.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'TaskRole', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
    const executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken (added by CDK to pull the image) has no resource-level permissions.',
    });
    const service = {
      cluster: this.cluster,
      taskRole: role,
      executionRole,
      logs,
      secrets: Object.fromEntries(
        Object.entries(secrets.temporalConnection).map(([name, secret]) => [
          name,
          EcsSecret.fromSecretsManager(secret),
        ]),
      ),
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
        AWS_REGION: this.region,
        ...(worker.payloadEncryption ? { TRIBUTARY_KMS_KEY_ID: data.key.keyArn } : {}),
      },
    };
    const dockerfileImage = () =>
      ContainerImage.fromAsset(repoRoot, { file: path.join('workers', 'Dockerfile') });
    const imageOutput = (build: string, imageName: string) =>
      new CfnOutput(this, 'DockerfileImage', {
        value: imageName,
        description: `The image built from workers/Dockerfile (${build}): list it as the image of its build before a new build replaces it.`,
      });

    if (worker.builds === undefined) {
      const { container, service: unversioned } = addWorkerService(this, config, {
        ...service,
        logStreamPrefix: 'worker',
        image: dockerfileImage(),
        desiredCount: worker.desiredCount,
      });
      imageOutput('the unversioned service', container.imageName);
      this.services = [unversioned];
    } else {
      this.services = worker.builds.map((build) => {
        const scope = new Construct(this, `Build-${build.id}`);
        const { container, service: versioned } = addWorkerService(scope, config, {
          ...service,
          // A log stream name has no ":".
          logStreamPrefix: `worker-${build.id.replaceAll(':', '-')}`,
          image: build.image === undefined ? dockerfileImage() : ecrImage(scope, 'Image', build.image),
          environment: {
            ...service.environment,
            TRIBUTARY_DEPLOYMENT_NAME: worker.deploymentName,
            TRIBUTARY_BUILD_ID: build.id,
          },
          desiredCount: build.desiredCount ?? worker.desiredCount,
        });
        if (build.image === undefined) imageOutput(`build ${build.id}`, container.imageName);
        return versioned;
      });
    }

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
  }
}
