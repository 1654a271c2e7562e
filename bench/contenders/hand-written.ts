import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PageToken } from '../../activities/http/pagination/strategy.ts';
import { encodeJsonLines } from '../../activities/storage/jsonl.ts';
import { pageKey } from '../../activities/storage/raw-keys.ts';
import { benchSource } from '../case.ts';
import type { Contender } from './contender.ts';
import { benchFetcher } from './fetcher.ts';

/** The script a user would write: fetch, gzip JSON Lines, PutObject, next page. */
export const handWritten: Contender = {
  async run({ benchCase, apiUrl, s3, bucket, prefix }) {
    const fetcher = benchFetcher(benchSource(benchCase, apiUrl));
    const started = performance.now();
    let token: PageToken = null;
    let pageNo = 0;
    do {
      const page = await fetcher.fetchPage(token);
      const body = await encodeJsonLines(page.records);
      pageNo++;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: pageKey(prefix, pageNo), Body: body }));
      token = page.next.token;
    } while (token !== null);
    return { seconds: (performance.now() - started) / 1000, written: { prefix } };
  },
};
