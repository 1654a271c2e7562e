import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmRule,
  AlarmState,
  ComparisonOperator,
  CompositeAlarm,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { metricNames } from '../../contracts/metrics.ts';
import { serviceDimension } from './cloudwatch-agent.ts';
import type { InfraConfig } from './infra-config.ts';
import type { WorkerStack } from './worker-stack.ts';

/**
 * The alarms, all to one SNS topic: the workers run, windows succeed, the source APIs answer
 * without throttling or failing, pages keep arriving, and each source keeps up with its
 * watermark; and the composite "worker errors OR API unhealthy OR no pages written" of the
 * reference architecture.
 */
export class AlarmsStack extends Stack {
  readonly topic: Topic;
  readonly composite: CompositeAlarm;

  constructor(
    scope: Construct,
    id: string,
    config: InfraConfig,
    deps: { worker: WorkerStack; sourceIds: readonly string[] },
    props?: StackProps,
  ) {
    super(scope, id, props);
    const { alarms, worker } = config;
    // CloudWatch publishes to the encrypted topic only when the key lets it.
    const topicKey = new Key(this, 'TopicKey', {
      description: 'tributary alarm topic',
      enableKeyRotation: true,
    });
    topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Alarms', {
      displayName: 'tributary alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (alarms.email !== undefined) this.topic.addSubscription(new EmailSubscription(alarms.email));
    const action = new SnsAction(this.topic);
    const product = (metricName: string, statistic: string, dimensionsMap: Record<string, string> = {}) =>
      new Metric({
        namespace: alarms.metricsNamespace,
        metricName,
        statistic,
        period: Duration.minutes(5),
        dimensionsMap: { ...serviceDimension, ...dimensionsMap },
      });
    const alarm = (name: string, props: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, name, { ...props, alarmName: `tributary-${name}` });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };

    const containerInsights = (metricName: string, dimensionsMap: Record<string, string>) =>
      new Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        statistic: 'Minimum',
        period: Duration.minutes(1),
        dimensionsMap: { ClusterName: deps.worker.cluster.clusterName, ...dimensionsMap },
      });
    // With a service per build (the cluster holds nothing else), the tasks of all builds count: a
    // drained build scaled to 0 does not alarm while the others run enough. Naming no service also
    // means removing a build removes no export this stack imports.
    const runningTasks =
      worker.builds === undefined
        ? containerInsights('RunningTaskCount', { ServiceName: deps.worker.services[0]!.serviceName })
        : containerInsights('TaskCount', {});
    const workersDown = alarm('workers-below-minimum', {
      alarmDescription: `Fewer than ${Math.max(1, worker.minCount)} worker tasks running (each one healthy: connected to Temporal and polling)`,
      metric: runningTasks,
      threshold: Math.max(1, worker.minCount),
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: TreatMissingData.BREACHING,
    });
    const failedWindows = alarm('failed-windows', {
      alarmDescription: `${alarms.failedWindows} or more windows failed in 15 minutes (${metricNames.windows}{outcome="failed"})`,
      metric: product(metricNames.windows, 'Sum', { outcome: 'failed' }).with({
        period: Duration.minutes(15),
      }),
      threshold: alarms.failedWindows,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const requests = (statusClass: string) =>
      product(metricNames.apiRequests, 'Sum', { status_class: statusClass });
    const allRequests = {
      ok: requests('2xx'),
      redirect: requests('3xx'),
      client: requests('4xx'),
      server: requests('5xx'),
      none: requests('error'),
    };
    const total = 'FILL(ok,0)+FILL(redirect,0)+FILL(client,0)+FILL(server,0)+FILL(none,0)';
    const apiFailing = alarm('api-failing', {
      alarmDescription:
        `More than ${alarms.apiErrorShare * 100}% of API requests answered 5xx or got no answer ` +
        '(timeout, connection reset) over 15 minutes. Latency histograms do not reach CloudWatch through the agent.',
      metric: new MathExpression({
        expression: `IF((${total}) >= 20, (FILL(server,0)+FILL(none,0))/(${total}), 0)`,
        usingMetrics: allRequests,
        period: Duration.minutes(5),
        label: 'share of API requests failing',
      }),
      threshold: alarms.apiErrorShare,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm('api-throttled', {
      alarmDescription: `More than ${alarms.throttledShare * 100}% of API requests answered 429 or 503 over 15 minutes: lower the source's rateLimit`,
      metric: new MathExpression({
        expression: `IF((${total}) >= 20, FILL(throttled,0)/(${total}), 0)`,
        usingMetrics: { ...allRequests, throttled: product(metricNames.throttled, 'Sum') },
        period: Duration.minutes(5),
        label: 'share of API requests throttled',
      }),
      threshold: alarms.throttledShare,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const noPages = alarm('no-pages-written', {
      alarmDescription: `No page written by any worker in ${alarms.noPagesHours} hours`,
      metric: product(metricNames.pagesWritten, 'Sum').with({ period: Duration.hours(alarms.noPagesHours) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.BREACHING,
    });
    for (const sourceId of deps.sourceIds) {
      // The newest watermark any worker reports for the source; EPOCH() is each point's time.
      alarm(`lag-${sourceId}`, {
        alarmDescription: `Source ${sourceId}: watermark more than ${alarms.lagMinutes} minutes behind now`,
        metric: new MathExpression({
          expression: '(EPOCH(watermark) - watermark) / 60',
          usingMetrics: {
            watermark: product(metricNames.watermarkTimestamp, 'Maximum', { source: sourceId }),
          },
          period: Duration.minutes(5),
          label: `${sourceId} lag in minutes`,
        }),
        threshold: alarms.lagMinutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    this.composite = new CompositeAlarm(this, 'Pipeline', {
      compositeAlarmName: 'tributary-pipeline',
      alarmDescription: 'tributary needs attention: worker errors OR source APIs failing OR no pages written',
      alarmRule: AlarmRule.anyOf(
        AlarmRule.anyOf(
          AlarmRule.fromAlarm(workersDown, AlarmState.ALARM),
          AlarmRule.fromAlarm(failedWindows, AlarmState.ALARM),
        ),
        AlarmRule.fromAlarm(apiFailing, AlarmState.ALARM),
        AlarmRule.fromAlarm(noPages, AlarmState.ALARM),
      ),
    });
    this.composite.addAlarmAction(action);
    this.composite.addOkAction(action);
  }
}
