import type { PageToken } from '../../activities/http/pagination/strategy.ts';
import { benchSource } from '../case.ts';
import type { Contender } from './contender.ts';
import { benchFetcher } from './fetcher.ts';

/** Follows the chain and parses every page, nothing else: the API-bound limit of one chain. */
export const fetchOnly: Contender = {
  async run({ benchCase, apiUrl }) {
    const fetcher = benchFetcher(benchSource(benchCase, apiUrl));
    const ids: number[] = [];
    const started = performance.now();
    let token: PageToken = null;
    do {
      const page = await fetcher.fetchPage(token);
      for (const record of page.records) ids.push((record as { id: number }).id);
      token = page.next.token;
    } while (token !== null);
    return { seconds: (performance.now() - started) / 1000, ids };
  },
};
