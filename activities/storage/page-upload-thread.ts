import { parentPort, workerData } from 'node:worker_threads';
import { createRawPageStore, type PageStamp } from './raw-page-store.ts';
import { createS3Client } from './s3-client.ts';

/** What the worker's main thread sends: one gzipped page, in a buffer of its own that is transferred. */
export interface PageUploadRequest {
  id: number;
  key: string;
  body: Uint8Array;
  stamp: PageStamp;
}

export type PageUploadReply =
  | { id: number; bytes: number }
  | { id: number; error: { name: string; message: string } };

export interface PageUploadThreadSettings {
  bucket: string;
  AWS_REGION: string;
  AWS_ENDPOINT_URL?: string;
}

// The upload thread of threaded-page-writer.ts: its own S3 client, so signing and sending
// PutObjects never hold up the event loop that follows the API's pages.
if (parentPort) {
  const port = parentPort;
  const settings = workerData as PageUploadThreadSettings;
  const store = createRawPageStore(createS3Client(settings), settings.bucket);
  port.on('message', (request: PageUploadRequest) => {
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    store.putPage(request.key, body, request.stamp).then(
      () => port.postMessage({ id: request.id, bytes: body.byteLength } satisfies PageUploadReply),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          error: {
            name: error instanceof Error ? error.name : 'Error',
            message: error instanceof Error ? error.message : String(error),
          },
        } satisfies PageUploadReply),
    );
  });
}
