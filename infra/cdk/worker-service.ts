import { Duration, Validations } from 'aws-cdk-lib';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import {
  type Cluster,
  type ContainerDefinition,
  ContainerDependencyCondition,
  ContainerImage,
  type Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
} from 'aws-cdk-lib/aws-ecs';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { workerEnvironment, workerNodeFlags } from '../../workers/node-flags.ts';
import { cloudWatchAgentEnvironment } from './cloudwatch-agent.ts';
import type { InfraConfig } from './infra-config.ts';

/** Where the worker serves Prometheus metrics inside the task, for the CloudWatch agent beside it. */
export const metricsAddress = '127.0.0.1:9464';
/** The file the worker rewrites while it is connected and polling (workers/health-file.ts). */
export const healthFile = '/tmp/tributary-healthy';

export interface WorkerServiceProps {
  cluster: Cluster;
  /** Shared by every service: each build may do exactly what the others may. */
  taskRole: IRole;
  executionRole: IRole;
  logs: ILogGroup;
  logStreamPrefix: string;
  image: ContainerImage;
  environment: Record<string, string>;
  secrets: Record<string, EcsSecret>;
  desiredCount: number;
}

/**
 * One Fargate service of workers (a task definition `Task` and a service `Service` in `scope`):
 * the worker container with its health check and a stop timeout long enough to drain at a page
 * boundary, a CloudWatch agent sidecar that turns its Prometheus metrics into CloudWatch metrics,
 * and CPU autoscaling.
 */
export function addWorkerService(
  scope: Construct,
  config: InfraConfig,
  props: WorkerServiceProps,
): { service: FargateService; taskDefinition: FargateTaskDefinition; container: ContainerDefinition } {
  const { worker, alarms } = config;
  const taskDefinition = new FargateTaskDefinition(scope, 'Task', {
    cpu: worker.cpu,
    memoryLimitMiB: worker.memoryMiB,
    taskRole: props.taskRole,
    executionRole: props.executionRole,
  });
  const container = taskDefinition.addContainer('worker', {
    image: props.image,
    command: ['node', ...workerNodeFlags, 'workers/main.ts'],
    essential: true,
    // The worker logs one JSON object a line (workers/logging.ts); CloudWatch Logs Insights reads them as fields.
    logging: LogDrivers.awsLogs({ logGroup: props.logs, streamPrefix: props.logStreamPrefix }),
    stopTimeout: Duration.seconds(worker.drainSeconds),
    environment: {
      ...workerEnvironment,
      ...props.environment,
      TRIBUTARY_METRICS_ADDRESS: metricsAddress,
      TRIBUTARY_HEALTH_FILE: healthFile,
    },
    secrets: props.secrets,
    // Healthy: the worker polls both task queues and reached the Temporal server within the last minute.
    healthCheck: {
      command: ['CMD', 'node', 'workers/health-check.ts'],
      interval: Duration.seconds(30),
      timeout: Duration.seconds(10),
      retries: 3,
      startPeriod: Duration.seconds(120),
    },
  });
  const agent = taskDefinition.addContainer('cloudwatch-agent', {
    image: ContainerImage.fromRegistry(worker.cloudWatchAgentImage),
    essential: false,
    memoryReservationMiB: 64,
    logging: LogDrivers.awsLogs({ logGroup: props.logs, streamPrefix: 'cloudwatch-agent' }),
    environment: cloudWatchAgentEnvironment({ metricsAddress, namespace: alarms.metricsNamespace }),
  });
  // The agent starts first and stops last, so the worker's final scrape still reaches CloudWatch.
  container.addContainerDependencies({ container: agent, condition: ContainerDependencyCondition.START });
  Validations.of(taskDefinition).acknowledge({
    id: 'AwsSolutions::AwsSolutions-ECS2',
    reason:
      'The environment holds only addresses, names and sizes (Temporal address, bucket names, task queue); ' +
      'the Temporal API key or mTLS certificate and key come from Secrets Manager through the task definition secrets.',
  });

  const service = new FargateService(scope, 'Service', {
    cluster: props.cluster,
    taskDefinition,
    desiredCount: props.desiredCount,
    vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    // A deployment starts the new tasks before it stops the old ones: polling never stops.
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
  });
  const scaling = service.autoScaleTaskCount({
    // A build scaled to fewer tasks than minCount (a drained one at 0) stays there.
    minCapacity: Math.min(worker.minCount, props.desiredCount),
    maxCapacity: Math.max(worker.maxCount, props.desiredCount),
  });
  scaling.scaleOnCpuUtilization('Cpu', {
    targetUtilizationPercent: worker.targetCpuPercent,
    // Scaling in stops a task: let windows settle before taking workers away.
    scaleInCooldown: Duration.minutes(10),
    scaleOutCooldown: Duration.minutes(2),
  });
  return { service, taskDefinition, container };
}
