import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import type { Source } from '../../config/source.ts';

/** tributary's own HTTP client (ky, keep-alive, the source's rate limiter), without Temporal. */
export function benchFetcher(source: Source) {
  return createPageFetcher(source, { secrets: createSecretResolver({ env: {} }) });
}
