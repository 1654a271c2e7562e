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

let outdir: string;
let sourceIds: readonly string[];
let jobNames: string[];
const templates: Record<string, Template> = {};
let report: ValidationReport;

// One synthesis for the whole file (cdk-nag runs during it): about 5 s.
beforeAll(async () => {
  const started = performance.now();
  outdir = await mkdtemp(path.join(tmpdir(), 'tributary-cdk-'));
  const inventory = await readPipelineInventory(
    path.join(repoRoot, config.sourcesPath),
    path.join(repoRoot, config.pipelinesPath),
  );
  sourceIds = inventory.sourceIds;
  jobNames = [...new Set([...inventory.glueJobNames, 'curate-orders'])].sort();
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  addTributaryStacks(app, config, inventory);
  const assembly = app.synth();
  for (const stack of assembly.stacks) templates[stack.stackName] = Template.fromJSON(stack.template);
  report = JSON.parse(
    await readFile(path.join(outdir, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  const counts = Object.entries(templates).map(
    ([name, template]) => `${name} ${Object.keys(template.toJSON().Resources).length}`,
  );
  console.info(
    `synth ${((performance.now() - started) / 1000).toFixed(1)} s; resources: ${counts.join(', ')}`,
  );
}, 120_000);

afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

const resourcesOf = (stack: string) => templates[stack]!.toJSON().Resources as Resources;
const flat = (value: unknown) => flattenCfnReference(value);

/** The task role's policy statements, each with its resources flattened as cdk-nag reads them. */
function taskRoleStatements() {
  const resources = resourcesOf('TributaryWorker');
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
          Command: ['node', '--no-memory-reducer', 'workers/main.ts'],
          HealthCheck: Match.objectLike({ Command: ['CMD', 'node', 'workers/health-check.ts'] }),
          Secrets: [{ Name: 'TEMPORAL_API_KEY', ValueFrom: Match.anyValue() }],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          Environment: Match.arrayWith([
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
