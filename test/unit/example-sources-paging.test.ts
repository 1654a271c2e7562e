import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageFetcher, type FetchedPage } from '../../activities/http/page-fetcher.ts';
import type { PageToken } from '../../activities/http/pagination/index.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { loadValidSources } from '../../config/load-sources.ts';
import { type Source, sourceSchema } from '../../config/source.ts';
import { commentsOf } from '../../scripts/sample-api/routes.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { fetchAllPages, idsOf } from '../support/fetch-all-pages.ts';

const examples = fileURLToPath(new URL('../../sources', import.meta.url));
let api: SampleApi;
let sources: Source[];

beforeAll(async () => {
  // 237 records: no route's page size divides it, so every chain ends on a short page.
  api = await startSampleApi({ records: 237 });
  sources = await loadValidSources(examples);
});
afterAll(() => api.close());

/** The example, pointed at the test's sample API without its Secrets Manager credentials. */
const local = (source: Source): Source =>
  sourceSchema.parse({ ...source, auth: { type: 'none' }, request: { ...source.request, baseUrl: api.url } });

describe('the example sources the demo reads', () => {
  it('are all there', () => {
    expect(sources.map((source) => source.id).sort()).toEqual([
      'customers',
      'orders',
      'repositories',
      'search-hits',
      'ticket-comments',
      'tickets',
    ]);
  });

  it('find every pagination path they declare on the sample API and read every record once', async () => {
    const secrets = createSecretResolver({ env: {} });
    for (const source of sources) {
      const fetcher = createPageFetcher(local(source), { secrets });
      if (source.parent === undefined) {
        expect(idsOf(await fetchAllPages(fetcher)), source.id).toEqual(
          api.dataset.map((record) => record.id),
        );
      } else {
        // A child source: one parent record's chain (ticket 5 has 5 comments, 2 a page).
        const pages: FetchedPage[] = [];
        let token: PageToken = null;
        do {
          const page = await fetcher.fetchPage(token, undefined, undefined, { ticket_id: 5 });
          pages.push(page);
          token = page.next.token;
        } while (token !== null);
        expect(idsOf(pages), source.id).toEqual(commentsOf(5).map((comment) => comment.id));
      }
    }
  });
});
