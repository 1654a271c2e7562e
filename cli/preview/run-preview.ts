import { ApplicationFailure } from '@temporalio/common';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import type { NextPage, PageToken } from '../../activities/http/pagination/index.ts';
import type { SecretResolver } from '../../activities/secrets/secrets.ts';
import type { Source } from '../../config/source.ts';

export interface PagePreview {
  pageNo: number;
  /** Method and URL as the fetcher reports them: secrets redacted. */
  request: { method: string; url: string };
  status: number;
  records: number;
  bytes: number;
  next: NextPage;
}

/** Why the preview ended: pagination stopped, the page limit was reached, or a page failed. */
export type PreviewEnd =
  | { kind: 'stopped'; reason: string }
  | { kind: 'page-limit'; pages: number }
  | { kind: 'failed'; pageNo: number; message: string; retryable: boolean };

export interface PreviewResult {
  sourceId: string;
  pages: PagePreview[];
  /** Every record of the previewed pages (at most `pages` pages, so bounded). */
  records: unknown[];
  end: PreviewEnd;
}

export interface PreviewOptions {
  pages: number;
  secrets: SecretResolver;
  /** The window's lower bound, already formatted for the API. */
  lowerBound?: string;
  fetch?: typeof fetch;
}

/**
 * Fetches up to `pages` pages through the real request path of a window (createPageFetcher:
 * secrets, auth, pagination, record extraction, response checks) and keeps them in memory.
 * No Temporal, no S3: nothing here writes anywhere.
 */
export async function runPreview(source: Source, options: PreviewOptions): Promise<PreviewResult> {
  const pages: PagePreview[] = [];
  const records: unknown[] = [];
  const done = (end: PreviewEnd): PreviewResult => ({ sourceId: source.id, pages, records, end });
  let token: PageToken = null;
  try {
    const fetcher = createPageFetcher(source, {
      secrets: options.secrets,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    for (let pageNo = 1; pageNo <= options.pages; pageNo++) {
      try {
        const page = await fetcher.fetchPage(token, options.lowerBound);
        records.push(...page.records);
        pages.push({
          pageNo,
          request: page.request,
          status: page.status,
          records: page.records.length,
          bytes: page.bytes,
          next: page.next,
        });
        if (page.next.token === null) return done({ kind: 'stopped', reason: page.next.reason });
        token = page.next.token;
      } catch (error) {
        return done(failed(pageNo, error));
      }
    }
    return done({ kind: 'page-limit', pages: options.pages });
  } catch (error) {
    return done(failed(1, error));
  }
}

function failed(pageNo: number, error: unknown): PreviewEnd {
  const message = error instanceof Error ? error.message : String(error);
  const retryable = error instanceof ApplicationFailure ? !error.nonRetryable : false;
  return { kind: 'failed', pageNo, message, retryable };
}
