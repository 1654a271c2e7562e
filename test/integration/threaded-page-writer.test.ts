import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { decodeJsonLines, jsonLinesText } from '../../activities/storage/jsonl.ts';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { createThreadedPageWriter } from '../../activities/storage/threaded-page-writer.ts';
import { awsClientConfig } from '../support/test-worker.ts';

const stack = inject('stack');
// The thread finds credentials as the worker process does, in its environment.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
const settings = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: stack.awsEndpoint };
const store = createRawPageStore(new S3Client(awsClientConfig(stack)), stack.bucket);
const writer = createThreadedPageWriter({ ...settings, bucket: stack.bucket });
const missing = createThreadedPageWriter({ ...settings, bucket: 'no-such-bucket-here' });
afterAll(async () => {
  await writer.close();
  await missing.close();
});

describe('the upload thread of the worker process', () => {
  it('writes pages exactly as the in-thread store does, stamps included, many at once', async () => {
    const pages = Array.from({ length: 20 }, (_, page) =>
      Array.from({ length: 50 }, (_, index) => ({ id: page * 50 + index, name: `record ${index}` })),
    );
    const stamp = (page: number) => ({ run: 'r1', token: `"t${page}"`, next: `"t${page + 1}"`, records: 50 });
    const sizes = await Promise.all(
      pages.map((records, page) =>
        writer.writeLines(`threaded/page-${page}`, jsonLinesText(records), stamp(page)),
      ),
    );
    for (const [page, records] of pages.entries()) {
      const bytes = await store.getBytes(`threaded/page-${page}`);
      expect(bytes.byteLength).toBe(sizes[page]);
      expect(await decodeJsonLines(bytes)).toEqual(records);
      expect(await store.readStamp(`threaded/page-${page}`)).toMatchObject(stamp(page));
    }
  });

  it('hands back an S3 error with its name and message', async () => {
    await expect(
      missing.writeLines('x/page-1', '{}\n', { run: 'r', token: '', next: '', records: 1 }),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
      message: expect.stringMatching(/bucket/i),
    });
  });
});
