import { S3Client } from '@aws-sdk/client-s3';
import type { StorageSettings } from '../../config/worker-settings.ts';

/** An S3 client for AWS, or for an S3-compatible endpoint (moto, MinIO) when AWS_ENDPOINT_URL is set. */
export function createS3Client(settings: Pick<StorageSettings, 'AWS_ENDPOINT_URL' | 'AWS_REGION'>): S3Client {
  return new S3Client({
    region: settings.AWS_REGION,
    // Every PutObject already carries its signed SHA-256 payload hash (x-amz-content-sha256), which
    // S3 verifies; the SDK's default extra CRC32 header only costs CPU here and at the store.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    ...(settings.AWS_ENDPOINT_URL ? { endpoint: settings.AWS_ENDPOINT_URL, forcePathStyle: true } : {}),
  });
}
