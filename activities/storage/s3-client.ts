import { S3Client } from '@aws-sdk/client-s3';
import type { StorageSettings } from '../../config/worker-settings.ts';

/** An S3 client for AWS, or for an S3-compatible endpoint (moto, MinIO) when AWS_ENDPOINT_URL is set. */
export function createS3Client(settings: Pick<StorageSettings, 'AWS_ENDPOINT_URL' | 'AWS_REGION'>): S3Client {
  return new S3Client({
    region: settings.AWS_REGION,
    ...(settings.AWS_ENDPOINT_URL ? { endpoint: settings.AWS_ENDPOINT_URL, forcePathStyle: true } : {}),
  });
}
