import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../contracts/metrics.ts';
import { quarantineTag } from '../../contracts/quarantine-tag.ts';
import { parseInfraConfig } from '../../infra/cdk/infra-config.ts';
import { readPipelineInventory } from '../../infra/cdk/pipeline-inventory.ts';
import { repoRoot } from '../../infra/cdk/repo-root.ts';
import { SecretsStack } from '../../infra/cdk/secrets-stack.ts';
import { addTributaryStacks } from '../../infra/cdk/tributary-app.ts';

const config = parseInfraConfig({
  temporal: { address: 'prod.a1b2c.tmprl.cloud:7233', namespace: 'prod.a1b2c' },
  sourceSecretNames: ['tributary/stripe/api-key'],
  transform: { extraJobNames: ['curate-orders'] },
  alarms: { email: 'oncall@example.com' },
});

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: unknown[];
    suppressedViolations: {
      ruleName: string;
      reason: string;
      violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** A deploy in the middle of a canary: v41 from the image it was deployed with, v42 built now. */
const oldImage =
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-123456789012-eu-west-1:' +
  '5d41402abc4b2a76b9719d911017c592aa2b4e5c7d0d6f5c4b3a2f1e0d9c8b7a';
const twoBuilds = parseInfraConfig({
  ...config,
  worker: { builds: [{ id: 'v41', image: oldImage, desiredCount: 1 }, { id: 'v42' }] },
});

interface Synthesis {
  templates: Record<string, Template>;
  report: ValidationReport;
}

const outdirs: string[] = [];
let sourceIds: readonly string[];
let jobNames: string[];
let templates: Record<string, Template>;
let report: ValidationReport;
let builds: Synthesis;

async function synthesize(
  appConfig: typeof config,
  inventory: Parameters<typeof addTributaryStacks>[2],
): Promise<Synthesis> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'tributary-cdk-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  addTributaryStacks(app, appConfig, inventory);
  const synthesized: Record<string, Template> = {};
  for (const stack of app.synth().stacks) synthesized[stack.stackName] = Template.fromJSON(stack.template);
  const validation = JSON.parse(
    await readFile(path.join(outdir, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  const counts = Object.entries(synthesized).map(
    ([name, template]) => `${name} ${Object.keys(template.toJSON().Resources).length}`,
  );
  console.info(`resources: ${counts.join(', ')}`);
  return { templates: synthesized, report: validation };
}

// One synthesis for the whole file (cdk-nag runs during it), and one with two worker builds: about 5 s each.
beforeAll(async () => {
  const started = performance.now();
  const inventory = await readPipelineInventory(
    path.join(repoRoot, config.sourcesPath),
    path.join(repoRoot, config.pipelinesPath),
  );
  sourceIds = inventory.sourceIds;
  jobNames = [...new Set([...inventory.glueJobNames, 'curate-orders'])].sort();
  ({ templates, report } = await synthesize(config, inventory));
  builds = await synthesize(twoBuilds, inventory);
  console.info(`synth ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 120_000);

afterAll(async () => {
  for (const outdir of outdirs) await rm(outdir, { recursive: true, force: true });
});

const resourcesOf = (stack: string, from = templates) => from[stack]!.toJSON().Resources as Resources;
const flat = (value: unknown) => flattenCfnReference(value);

/** The task role's policy statements, each with its resources flattened as cdk-nag reads them. */
function taskRoleStatements(from = templates) {
  const resources = resourcesOf('TributaryWorker', from);
  const taskDefinition = Object.values(resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition')!;
  const roleId = (taskDefinition.Properties.TaskRoleArn as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  const policies = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
  );
  expect(policies).toHaveLength(1);
  const document = policies[0]!.Properties.PolicyDocument as {
    Statement: {
      Sid: string;
      Effect: string;
      Action: string | string[];
      Resource: unknown;
      Condition?: unknown;
    }[];
  };
  return document.Statement.map((statement) => ({
    sid: statement.Sid,
    effect: statement.Effect,
    actions: [statement.Action].flat(),
    resources: [statement.Resource].flat().map(flat),
    ...(statement.Condition === undefined ? {} : { condition: statement.Condition }),
  }));
}

describe('the CDK app', () => {
  it('passes cdk-nag AwsSolutions with every finding acknowledged for a stated reason', () => {
    const nag = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions')!;
    expect(nag.violations).toEqual([]);
    expect(nag.conclusion).toBe('success');
    for (const suppressed of nag.suppressedViolations) expect(suppressed.reason.length).toBeGreaterThan(40);
    const acknowledged = nag.suppressedViolations.map(
      (s) => `${s.violatingConstructs.map((c) => c.constructPath).join(',')} ${s.ruleName}: ${s.reason}`,
    );
    console.info(`cdk-nag acknowledged:\n${acknowledged.join('\n')}`);
    // The only wildcards are prefixes the product needs, plus the two actions AWS offers no resource for.
    const rules = nag.suppressedViolations.map((s) => s.ruleName).sort();
    expect(rules).toEqual(
      [
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
        'AwsSolutions-ECS2',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tributary-raw-<AWS::AccountId>-<AWS::Region>/raw/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tributary-raw-<AWS::AccountId>-<AWS::Region>/raw/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tributary-curated-<AWS::AccountId>-<AWS::Region>/curated/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:tributary/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:registry/tributary*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:schema/tributary*/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:database/curated_*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/curated_*/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/tributary/prometheus:*]',
      ].sort(),
    );
  });

  it('gives the task role the raw prefix, tributary/ secrets, its Glue jobs and the data key, nothing more', () => {
    const statements = taskRoleStatements();
    console.info(`task role statements:\n${statements.map((s) => JSON.stringify(s)).join('\n')}`);
    const region = '<AWS::Region>:<AWS::AccountId>';
    expect(statements).toEqual([
      {
        sid: 'RawPages',
        effect: 'Allow',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'],
        resources: ['arn:<AWS::Partition>:s3:::tributary-raw-<AWS::AccountId>-<AWS::Region>/raw/*'],
      },
      {
        sid: 'ListRawPages',
        effect: 'Allow',
        actions: ['s3:ListBucket'],
        resources: ['arn:<AWS::Partition>:s3:::tributary-raw-<AWS::AccountId>-<AWS::Region>'],
        condition: { StringLike: { 's3:prefix': ['raw/*'] } },
      },
      {
        sid: 'DataKey',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [expect.stringMatching(/^TributaryData:ExportsOutputFnGetAttDataKey/)],
      },
      {
        sid: 'SourceSecrets',
        effect: 'Allow',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`arn:<AWS::Partition>:secretsmanager:${region}:secret:tributary/*`],
      },
      {
        sid: 'TransformRuns',
        effect: 'Allow',
        actions: ['glue:StartJobRun', 'glue:GetJobRun'],
        resources: jobNames.map((name) => `arn:<AWS::Partition>:glue:${region}:job/${name}`),
      },
      {
        sid: 'SchemaRegistry',
        effect: 'Allow',
        actions: [
          'glue:CreateRegistry',
          'glue:CreateSchema',
          'glue:RegisterSchemaVersion',
          'glue:GetSchemaVersion',
        ],
        resources: [
          `arn:<AWS::Partition>:glue:${region}:registry/tributary*`,
          `arn:<AWS::Partition>:glue:${region}:schema/tributary*/*`,
        ],
      },
      {
        sid: 'PrometheusMetrics',
        effect: 'Allow',
        actions: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'logs:DescribeLogStreams',
        ],
        resources: [
          `arn:<AWS::Partition>:logs:${region}:log-group:/tributary/prometheus`,
          `arn:<AWS::Partition>:logs:${region}:log-group:/tributary/prometheus:*`,
        ],
      },
    ]);
    // What that rules out, said plainly: no curated or other bucket, no secret outside tributary/, no '*'.
    const everything = statements.flatMap((s) => [...s.actions, ...s.resources]);
    expect(everything.filter((value) => value.includes('curated'))).toEqual([]);
    expect(everything.filter((value) => value === '*')).toEqual([]);
    expect(statements.flatMap((s) => s.actions).filter((action) => action.includes('*'))).toEqual([]);
    expect(
      everything.filter((value) => value.includes(':secret:') && !value.includes(':secret:tributary/')),
    ).toEqual([]);
  });

  it('keeps the buckets encrypted with the customer key, private, TLS only, raw versioned with lifecycle rules', () => {
    const data = templates.TributaryData!;
    for (const zone of ['raw', 'curated']) {
      data.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: {
          'Fn::Join': ['', [`tributary-${zone}-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
              BucketKeyEnabled: true,
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['tributary-raw-'])] }),
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'raw-pages', Prefix: 'raw/', ExpirationInDays: 365, Status: 'Enabled' }),
          Match.objectLike({
            Id: 'quarantine',
            ExpirationInDays: 30,
            TagFilters: [{ Key: quarantineTag.key, Value: quarantineTag.value }],
          }),
        ]),
      },
    });
    data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // Every bucket (raw, curated, access logs) denies any request not made over TLS.
    const policies = Object.values(resourcesOf('TributaryData')).filter(
      (r) => r.Type === 'AWS::S3::BucketPolicy',
    );
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('runs the worker with a drain timeout, a health check, the API key from Secrets Manager and JSON logs', () => {
    const worker = templates.TributaryWorker!;
    worker.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '1024',
      Memory: '2048',
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'worker',
          StopTimeout: config.worker.drainSeconds,
          Command: ['node', '--no-memory-reducer', '--max-semi-space-size=8', 'workers/main.ts'],
          HealthCheck: Match.objectLike({ Command: ['CMD', 'node', 'workers/health-check.ts'] }),
          Secrets: [{ Name: 'TEMPORAL_API_KEY', ValueFrom: Match.anyValue() }],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          Environment: Match.arrayWith([
            { Name: 'MALLOC_ARENA_MAX', Value: '2' },
            { Name: 'TEMPORAL_ADDRESS', Value: 'prod.a1b2c.tmprl.cloud:7233' },
            { Name: 'TRIBUTARY_METRICS_ADDRESS', Value: '127.0.0.1:9464' },
            { Name: 'TRIBUTARY_HEALTH_FILE', Value: '/tmp/tributary-healthy' },
          ]),
        }),
        Match.objectLike({ Name: 'cloudwatch-agent', Essential: false }),
      ]),
    });
    const containers = Object.values(resourcesOf('TributaryWorker')).find(
      (r) => r.Type === 'AWS::ECS::TaskDefinition',
    )!.Properties.ContainerDefinitions as { Environment?: { Name: string }[] }[];
    // The API key is never a plain value in the task definition.
    expect(containers.flatMap((c) => c.Environment ?? []).map((e) => e.Name)).not.toContain(
      'TEMPORAL_API_KEY',
    );
    worker.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100 }),
    });
    worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 6,
    });
    worker.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
  });

  it('has one Glue job per job name on the infra/glue script, writing Iceberg tables to its own databases', () => {
    const transform = templates.TributaryTransform!;
    transform.hasResourceProperties('AWS::Glue::Job', {
      Name: 'curate-orders',
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      MaxRetries: 0,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      DefaultArguments: Match.objectLike({ '--datalake-formats': 'iceberg' }),
      SecurityConfiguration: Match.anyValue(),
      Command: Match.objectLike({ Name: 'glueetl', ScriptLocation: Match.anyValue() }),
    });
    transform.resourceCountIs('AWS::Glue::Job', jobNames.length);
    const job = Object.values(resourcesOf('TributaryTransform')).find(
      (r) => r.Type === 'AWS::Glue::Job' && r.Properties.Name === 'curate-orders',
    )!;
    // The modules glue_job.py imports from infra/glue/ (lake.py, transform.py) ship with it.
    const modules = flat(
      (job.Properties.DefaultArguments as Record<string, unknown>)['--extra-py-files'],
    ).split(',');
    expect(modules).toHaveLength(2);
    for (const module of modules) {
      expect(module).toMatch(
        /^s3:\/\/cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\/[0-9a-f]{64}\.py$/,
      );
    }
    // Its role reads exactly those objects from the asset bucket, not the bucket.
    const readable = Object.values(resourcesOf('TributaryTransform'))
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement)
      .flatMap((statement) => [statement.Resource].flat().map(flat))
      .filter((resource) => resource.includes('-assets-'));
    expect(readable).toHaveLength(modules.length + 1);
    for (const resource of readable) expect(resource).toMatch(/\/[0-9a-f]{64}\.py$/);
    // The job writes Iceberg tables into one database per dataset, <curated prefix>_<dataset>, and only there.
    const catalog = Object.values(resourcesOf('TributaryTransform'))
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((statement) => [statement.Action].flat().includes('glue:CreateTable'));
    expect(catalog.flatMap((statement) => [statement.Resource].flat().map(flat))).toEqual([
      'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:catalog',
      'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:database/curated_*',
      'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/curated_*/*',
    ]);
  });

  it("alarms on the product's metrics and the workers, with the composite, all to one encrypted topic", () => {
    const alarms = templates.TributaryAlarms!;
    alarms.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    alarms.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    const topicRef = { Ref: Match.stringLikeRegexp('^Alarms') };
    const byName = (name: string, properties: Record<string, unknown>) =>
      alarms.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `tributary-${name}`,
        AlarmActions: [topicRef],
        ...properties,
      });
    byName('workers-below-minimum', { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' });
    byName('failed-windows', {
      Namespace: 'Tributary',
      MetricName: metricNames.windows,
      Dimensions: Match.arrayWith([{ Name: 'outcome', Value: 'failed' }]),
    });
    byName('no-pages-written', { Namespace: 'Tributary', MetricName: metricNames.pagesWritten });
    const usesMetric = (name: string) =>
      Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: name }) }),
        }),
      ]);
    byName('api-failing', { Metrics: usesMetric(metricNames.apiRequests) });
    byName('api-throttled', { Metrics: usesMetric(metricNames.throttled) });
    expect(sourceIds.length).toBeGreaterThan(0);
    for (const sourceId of sourceIds)
      byName(`lag-${sourceId}`, { Metrics: usesMetric(metricNames.watermarkTimestamp) });
    alarms.resourceCountIs('AWS::CloudWatch::Alarm', 5 + sourceIds.length);
    alarms.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'tributary-pipeline',
      AlarmActions: [topicRef],
      AlarmRule: Match.anyValue(),
    });
    const composite = Object.values(resourcesOf('TributaryAlarms')).find(
      (r) => r.Type === 'AWS::CloudWatch::CompositeAlarm',
    )!;
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    for (const member of ['workersbelowminimum', 'failedwindows', 'apifailing', 'nopageswritten'])
      expect(rule.toLowerCase().replaceAll('-', '')).toContain(member);
  });

  it('for mTLS, creates the client certificate and key secrets the worker gets as TEMPORAL_TLS_CERT and _KEY', () => {
    // The secrets stack alone, in an app of its own: no image, no cdk-nag, a few milliseconds.
    const mtls = parseInfraConfig({ temporal: { address: 'x:7233', namespace: 'x', auth: 'mtls' } });
    const secrets = new SecretsStack(new App(), 'Secrets', mtls);
    expect(Object.keys(secrets.temporalConnection)).toEqual(['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']);
    const template = Template.fromStack(secrets);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'tributary/temporal/client-cert' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'tributary/temporal/client-key' });
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
  });

  it('with two builds, runs a service per build polling as its version, with the same task role', () => {
    const nag = builds.report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions')!;
    expect(nag.violations).toEqual([]);
    expect(nag.conclusion).toBe('success');
    const resources = Object.values(resourcesOf('TributaryWorker', builds.templates));
    const services = resources.filter((r) => r.Type === 'AWS::ECS::Service');
    expect(services.map((s) => s.Properties.DesiredCount)).toEqual([1, 2]);
    const taskDefinitions = resources.filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
    const workers = taskDefinitions.map(
      (r) =>
        (
          r.Properties.ContainerDefinitions as {
            Name: string;
            Image: unknown;
            StopTimeout: number;
            Environment: { Name: string; Value: unknown }[];
          }[]
        ).find((c) => c.Name === 'worker')!,
    );
    const environment = (container: (typeof workers)[number], name: string) =>
      container.Environment.find((e) => e.Name === name)?.Value;
    expect(
      workers.map((c) => [environment(c, 'TRIBUTARY_BUILD_ID'), environment(c, 'TRIBUTARY_DEPLOYMENT_NAME')]),
    ).toEqual([
      ['v41', 'tributary'],
      ['v42', 'tributary'],
    ]);
    for (const container of workers) expect(container.StopTimeout).toBe(config.worker.drainSeconds);
    // v41 runs the image it was deployed with; v42 the one built from workers/Dockerfile now.
    expect(flat(workers[0]!.Image)).toBe(oldImage.replace('amazonaws.com', '<AWS::URLSuffix>'));
    expect(flat(workers[1]!.Image)).toMatch(
      /^<AWS::AccountId>\.dkr\.ecr\.<AWS::Region>\.<AWS::URLSuffix>\/cdk-/,
    );
    // One task role for both, with the very statements of the unversioned service's.
    expect(new Set(taskDefinitions.map((r) => JSON.stringify(r.Properties.TaskRoleArn))).size).toBe(1);
    expect(taskRoleStatements(builds.templates)).toEqual(taskRoleStatements());
    // The execution role pulls from v41's repository and the CDK asset repository (v42's), no other.
    const pulls = resources
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((statement) => [statement.Action].flat().includes('ecr:BatchGetImage'))
      .flatMap((statement) => [statement.Resource].flat().map(flat));
    expect(pulls).toEqual([
      'arn:<AWS::Partition>:ecr:eu-west-1:123456789012:repository/cdk-hnb659fds-container-assets-123456789012-eu-west-1',
      expect.stringMatching(/^arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository\/cdk-/),
    ]);
    expect(resources.filter((r) => r.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy')).toHaveLength(2);
    // "Workers below minimum" counts the tasks of every build (all the cluster's), naming no service:
    // removing a build from the list leaves the alarms stack nothing to import from it.
    builds.templates.TributaryAlarms!.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'tributary-workers-below-minimum',
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'TaskCount',
      Dimensions: [{ Name: 'ClusterName', Value: Match.anyValue() }],
    });
    expect(JSON.stringify(builds.templates.TributaryWorker!.toJSON().Outputs)).not.toMatch(
      /Service[^"]*Name/,
    );
  });

  it('refuses worker builds two of which would be built from workers/Dockerfile, or with one id twice', () => {
    const withBuilds = (builds: unknown) =>
      parseInfraConfig({ temporal: { address: 'x:7233', namespace: 'x' }, worker: { builds } });
    expect(() => withBuilds([{ id: 'v41' }, { id: 'v42' }])).toThrow(
      /tributary\.worker\.builds\.1\.image: only one build may be built from workers\/Dockerfile \(build "v41" is\)/,
    );
    expect(() => withBuilds([{ id: 'v42', image: oldImage }, { id: 'v42' }])).toThrow(
      /tributary\.worker\.builds\.1\.id: build "v42" is listed twice/,
    );
    expect(() => withBuilds([{ id: 'v 42' }])).toThrow(/tributary\.worker\.builds\.0\.id: a build id/);
    expect(() => withBuilds([{ id: 'v41', image: 'nginx:latest' }])).toThrow(
      /tributary\.worker\.builds\.0\.image: an ECR image/,
    );
    expect(() => withBuilds([])).toThrow(/tributary\.worker\.builds: list at least one build/);
  });

  it('refuses a config that would widen what the worker may read, naming the field', () => {
    expect(() =>
      parseInfraConfig({ temporal: { address: 'x:7233', namespace: 'x' }, sourceSecretNames: ['prod/db'] }),
    ).toThrow(/tributary\.sourceSecretNames\.0: a secret's name must start with "tributary\/"/);
    expect(() => parseInfraConfig({})).toThrow(/tributary\.temporal/);
    expect(() =>
      parseInfraConfig({ temporal: { address: 'x:7233', namespace: 'x' }, worker: { logRetentionDays: 10 } }),
    ).toThrow(/tributary\.worker\.logRetentionDays: one of CloudWatch Logs' retention periods/);
  });
});
