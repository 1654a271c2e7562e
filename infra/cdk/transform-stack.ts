import path from 'node:path';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  CloudWatchEncryption,
  GlueVersion,
  JobBookmarksEncryption,
  PySparkEtlJob,
  S3Encryption,
  SecurityConfiguration,
  WorkerType,
} from 'aws-cdk-lib/aws-glue';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { curatedDatabase } from '../../contracts/curated-tables.ts';
import type { DataStack } from './data-stack.ts';
import { glueScriptModules } from './glue-script-modules.ts';
import type { InfraConfig } from './infra-config.ts';
import { repoRoot } from './repo-root.ts';
import { grantScoped } from './scoped-grant.ts';
import { ScriptCode } from './script-code.ts';
import { zoneBucketArn } from './zone-buckets.ts';

/**
 * The transform: one Glue job per job name the sources and pipelines use (all run the script in
 * infra/glue/, writing Iceberg tables into the Glue Data Catalog) and their role.
 */
export class TransformStack extends Stack {
  readonly jobNames: string[];
  readonly role: Role;

  constructor(
    scope: Construct,
    id: string,
    config: InfraConfig,
    data: DataStack,
    jobNames: readonly string[],
    props?: StackProps,
  ) {
    super(scope, id, props);
    const { buckets, transform } = config;
    // Each dataset's Iceberg tables live in a database of its own, <curated prefix>_<dataset>
    // (contracts/curated-tables.ts), which the job creates on its first run.
    const databases = `${curatedDatabase(`s3://bucket/${buckets.curatedPrefix}`)}_*`;
    // Glue's own logs and bookmarks need a key whose policy lets CloudWatch Logs use it.
    const logsKey = new Key(this, 'GlueLogsKey', {
      description: 'tributary: Glue job logs and bookmarks',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logsKey.grantEncryptDecrypt(new ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    const security = new SecurityConfiguration(this, 'Security', {
      s3Encryption: S3Encryption.kms(data.key),
      cloudWatchEncryption: CloudWatchEncryption.kms(logsKey),
      jobBookmarksEncryption: JobBookmarksEncryption.clientSideKms(logsKey),
    });
    this.role = new Role(this, 'JobRole', {
      assumedBy: new ServicePrincipal('glue.amazonaws.com'),
      description: 'tributary Glue jobs: read raw pages, write the curated zone',
    });
    const raw = zoneBucketArn(this, config, 'raw');
    const curated = zoneBucketArn(this, config, 'curated');
    const role = this.role;
    grantScoped(
      role,
      { actions: ['s3:GetObject'], resources: [`${raw}/${buckets.rawPrefix}/*`] },
      "A run reads the pages its window's manifest lists, all under the raw prefix; it cannot write there.",
    );
    grantScoped(role, {
      // glue_job.py lists the window's folder for each page's write time (the lineage column).
      actions: ['s3:ListBucket'],
      resources: [raw],
      conditions: { StringLike: { 's3:prefix': [`${buckets.rawPrefix}/*`] } },
    });
    grantScoped(
      role,
      {
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [`${curated}/${buckets.curatedPrefix}/*`],
      },
      'A run rewrites the tables of its dataset under the curated prefix (dataset names come from source files).',
    );
    grantScoped(role, {
      actions: ['s3:ListBucket'],
      resources: [curated],
      conditions: { StringLike: { 's3:prefix': [`${buckets.curatedPrefix}/*`] } },
    });
    grantScoped(role, {
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [data.key.keyArn, logsKey.keyArn],
    });
    grantScoped(
      role,
      {
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [`arn:${this.partition}:logs:${this.region}:${this.account}:log-group:/aws-glue/*`],
      },
      "Glue writes a job's driver and executor logs to its own /aws-glue/ log groups, streams named per run.",
    );
    grantScoped(
      role,
      {
        actions: [
          'glue:GetDatabase',
          'glue:CreateDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:CreateTable',
          'glue:UpdateTable',
          'glue:DeleteTable',
        ],
        resources: [
          `arn:${this.partition}:glue:${this.region}:${this.account}:catalog`,
          `arn:${this.partition}:glue:${this.region}:${this.account}:database/${databases}`,
          `arn:${this.partition}:glue:${this.region}:${this.account}:table/${databases}/*`,
        ],
      },
      `Each dataset's Iceberg tables, in its own database named after the curated prefix (${databases}), created by the job on its first run; no other database.`,
    );
    grantScoped(
      role,
      {
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
      },
      'cloudwatch:PutMetricData has no resource-level permissions; the condition limits it to the Glue namespace (job metrics).',
    );
    const entry = path.join(repoRoot, 'infra/glue/glue_job.py');
    const script = new ScriptCode(this, 'Script', entry);
    const modules = glueScriptModules(entry).map(
      (module) => new ScriptCode(this, `Module-${path.basename(module, '.py')}`, module),
    );
    this.jobNames = [...new Set(jobNames)].sort();
    for (const jobName of this.jobNames) {
      new PySparkEtlJob(this, `Job-${jobName}`, {
        jobName,
        role: this.role,
        script,
        extraPythonFiles: modules,
        glueVersion: transform.glueVersion === '4.0' ? GlueVersion.V4_0 : GlueVersion.V5_0,
        workerConfiguration: {
          workerType: workerType(transform.workerType),
          numberOfWorkers: transform.numberOfWorkers,
        },
        timeout: Duration.minutes(transform.timeoutMinutes),
        securityConfiguration: security,
        // One run per dataset at a time: the transform stage waits for a busy job (TransformBusyError).
        maxConcurrentRuns: 1,
        maxRetries: 0,
        // glue_job.py sets the Iceberg catalog on the Glue Data Catalog; Glue ships the runtime.
        defaultArguments: { '--datalake-formats': 'iceberg' },
      });
    }
  }
}

function workerType(name: InfraConfig['transform']['workerType']): WorkerType {
  return {
    'G.1X': WorkerType.G_1X,
    'G.2X': WorkerType.G_2X,
    'G.4X': WorkerType.G_4X,
    'G.8X': WorkerType.G_8X,
  }[name];
}
