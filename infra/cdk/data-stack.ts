import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { quarantineTag } from '../../contracts/quarantine-tag.ts';
import type { InfraConfig } from './infra-config.ts';
import { zoneBucketName } from './zone-buckets.ts';

/**
 * The lake: the raw zone (versioned; pages expire after `rawPageDays`, quarantine objects after
 * `quarantineDays`) and the curated zone, both SSE-KMS under one customer key, TLS only, never
 * public, with server access logs in a third bucket.
 */
export class DataStack extends Stack {
  readonly key: Key;
  readonly rawBucket: Bucket;
  readonly curatedBucket: Bucket;

  constructor(scope: Construct, id: string, config: InfraConfig, props?: StackProps) {
    super(scope, id, props);
    const { buckets } = config;
    this.key = new Key(this, 'DataKey', {
      description: 'tributary: raw and curated zones, source secrets, workflow payloads',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessLogs = new Bucket(this, 'AccessLogs', {
      // S3 delivers server access logs only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const zone = (name: 'Raw' | 'Curated') =>
      new Bucket(this, name, {
        bucketName: zoneBucketName(this, config, name === 'Raw' ? 'raw' : 'curated'),
        // Raw pages are the replay source of every transform: an overwrite or delete keeps the old version.
        versioned: name === 'Raw',
        encryption: BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${name.toLowerCase()}/`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.rawBucket = zone('Raw');
    this.rawBucket.addLifecycleRule({
      id: 'raw-pages',
      prefix: `${buckets.rawPrefix}/`,
      expiration: Duration.days(buckets.rawPageDays),
      noncurrentVersionExpiration: Duration.days(buckets.noncurrentVersionDays),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    });
    // Quarantine objects sit beside the pages (page-000001.quarantine.jsonl.gz): the worker tags them.
    this.rawBucket.addLifecycleRule({
      id: 'quarantine',
      prefix: `${buckets.rawPrefix}/`,
      tagFilters: { [quarantineTag.key]: quarantineTag.value },
      expiration: Duration.days(buckets.quarantineDays),
    });
    this.curatedBucket = zone('Curated');
    new CfnOutput(this, 'RawBucketName', {
      value: this.rawBucket.bucketName,
      exportName: `${id}-raw-bucket`,
    });
    new CfnOutput(this, 'CuratedBucketName', {
      value: this.curatedBucket.bucketName,
      exportName: `${id}-curated-bucket`,
    });
    new CfnOutput(this, 'DataKeyArn', { value: this.key.keyArn, exportName: `${id}-data-key` });
  }
}
