import { formatBound } from '../../activities/http/incremental.ts';
import { secretRedactor } from '../../activities/secrets/secret-redaction.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { parseIsoDateTime } from '../iso-date-time.ts';
import { previewReport, renderPreview } from '../preview/render-preview.ts';
import { runPreview } from '../preview/run-preview.ts';

export interface PreviewOptions {
  pages: string;
  since?: string;
  json?: boolean;
  sources: string;
}
const MAX_PAGES = 50;

/**
 * `tributary sources preview <sourceId>`: a few pages through the real request path, printed with
 * the request, status, record count and pagination decision of each, then the records and their
 * fields. Exit 1 when a page fails, with what to change in the source file.
 */
export async function sourcesPreviewCommand(sourceId: string, values: PreviewOptions): Promise<number> {
  const pages = Number(values.pages);
  if (!Number.isInteger(pages) || pages < 1 || pages > MAX_PAGES) {
    throw usageError(`--pages must be a whole number from 1 to ${MAX_PAGES}, not "${values.pages}"`);
  }
  const since = values.since === undefined ? undefined : parseIsoDateTime('--since', values.since);
  const source = await findSource(values.sources, sourceId);
  const from = since ?? source.incremental?.start;
  const lowerBound =
    from === undefined || source.incremental === undefined
      ? undefined
      : formatBound(from, source.incremental.format);
  const result = await runPreview(source, {
    pages,
    secrets: createSecretResolver(),
    ...(lowerBound === undefined ? {} : { lowerBound }),
  });
  const report = previewReport(source, result);
  // The secrets the preview resolved (and their encodings) are redacted from everything it prints:
  // an API may echo a key in an error body or a next link, an HTTP client may quote a header.
  process.stdout.write(
    values.json
      ? `${JSON.stringify(secretRedactor.redactDeep(report))}\n`
      : secretRedactor.redact(renderPreview(source, report)),
  );
  if (result.end.kind === 'failed') {
    if (!values.json) {
      process.stderr.write(secretRedactor.redact(`preview of ${sourceId} failed: ${result.end.message}\n`));
    }
    return EXIT.failed;
  }
  return EXIT.ok;
}
