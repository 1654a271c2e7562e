import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** An S3 client for a local stand-in (moto): path-style URLs, us-east-1, dummy credentials. */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** Creates `bucket` at the local endpoint unless it exists (a fresh moto, or one run without a state file). */
export async function ensureBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = localS3Client(endpoint);
  try {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  } finally {
    s3.destroy();
  }
}
