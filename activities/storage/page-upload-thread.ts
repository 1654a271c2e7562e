import { parentPort, workerData } from 'node:worker_threads';
import { createRawPageStore, type PageStamp } from './raw-page-store.ts';
import { createS3Client } from './s3-client.ts';

/** What the worker's main thread sends: one page as JSON Lines text, to gzip and write. */
export interface PageUploadRequest {
  id: number;
  key: string;
  lines: string;
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
    store.writeLines(request.key, request.lines, request.stamp).then(
      (bytes) => port.postMessage({ id: request.id, bytes } satisfies PageUploadReply),
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
