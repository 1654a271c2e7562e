import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The AWS settings of a client as the environment variables every AWS SDK reads (the Python
 * script's boto3 and Iceberg's Java SDK alike): the same endpoint (moto locally), region and
 * credentials as the worker's own S3 client.
 */
export async function awsEnvOf(s3: S3Client): Promise<NodeJS.ProcessEnv> {
  const credentials = await s3.config.credentials();
  const region = await s3.config.region();
  const endpoint = s3.config.endpoint ? await s3.config.endpoint() : undefined;
  return {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    ...(endpoint
      ? {
          AWS_ENDPOINT_URL: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path === '/' ? '' : endpoint.path}`,
        }
      : {}),
  };
}
