import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PageToken } from '../../activities/http/pagination/strategy.ts';
import { encodeJsonLines } from '../../activities/storage/jsonl.ts';
import { pageKey } from '../../activities/storage/raw-keys.ts';
import { benchSource } from '../case.ts';
import type { Contender } from './contender.ts';
import { benchFetcher } from './fetcher.ts';

/** Uploads in flight at most: the bound tributary uses for a cursor chain. */
const UPLOADS_IN_FLIGHT = 6;

/**
 * The hand-written chain with each page's gzip and PutObject overlapped with the next fetch (no
 * checkpoint, no retry): what a careful script reaches, the practical ceiling with uploads.
 */
export const handOverlapped: Contender = {
  async run({ benchCase, apiUrl, s3, bucket, prefix }) {
    const fetcher = benchFetcher(benchSource(benchCase, apiUrl));
    const started = performance.now();
    const uploads = new Set<Promise<unknown>>();
    let token: PageToken = null;
    let pageNo = 0;
    do {
      const page = await fetcher.fetchPage(token);
      const key = pageKey(prefix, ++pageNo);
      const upload = encodeJsonLines(page.records).then((body) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
      );
      uploads.add(upload);
      void upload.finally(() => uploads.delete(upload));
      token = page.next.token;
      while (uploads.size >= UPLOADS_IN_FLIGHT) await Promise.race(uploads);
    } while (token !== null);
    await Promise.all(uploads);
    return { seconds: (performance.now() - started) / 1000, written: { prefix } };
  },
};
