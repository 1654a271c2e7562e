import { redactUrl } from '../../activities/http/redact-url.ts';
import type { Source } from '../../config/source.ts';
import { type FieldInfo, inferFields } from './infer-fields.ts';
import { type KeyCheck, keyChecks } from './key-checks.ts';
import { recordsTable } from './records-table.ts';
import type { PagePreview, PreviewResult } from './run-preview.ts';

/** Everything a preview shows, as one JSON-ready object (`--json`). */
export interface PreviewReport extends PreviewResult {
  fields: FieldInfo[];
  checks: KeyCheck[];
}

export function previewReport(source: Source, result: PreviewResult): PreviewReport {
  return { ...result, fields: inferFields(result.records), checks: keyChecks(source, result.records) };
}

/** The preview for a person: one block per page, then the records, their fields and the checks. */
export function renderPreview(source: Source, report: PreviewReport): string {
  const lines = [
    `preview of ${source.id}: pagination ${source.pagination.type}, records at \`${source.records.path}\` (nothing is written to S3, no workflow is started)`,
    '',
  ];
  for (const page of report.pages) lines.push(...renderPage(page));
  const { end } = report;
  if (end.kind === 'failed') {
    lines.push(`page ${end.pageNo}  failed: ${end.message}`);
    if (end.retryable) lines.push('        (a window would retry this; the preview does not)');
  } else if (end.kind === 'page-limit') {
    lines.push(`stopped after ${end.pages} page(s) (--pages); a window would go on to the next page`);
  } else {
    lines.push(`pagination ends after page ${report.pages.length}: ${end.reason}`);
  }
  const total = report.records.length;
  lines.push('', `${total} record(s) in ${report.pages.length} page(s)`);
  if (total > 0) {
    const shown = Math.min(total, 5);
    lines.push('', `first ${shown} record(s):`, ...recordsTable(report.records).map((line) => `  ${line}`));
    lines.push('', 'fields:', ...renderFields(report.fields, total));
  }
  if (report.checks.length > 0) {
    lines.push(
      '',
      'checks:',
      ...report.checks.map((check) => `  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.message}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

function renderPage(page: PagePreview): string[] {
  const next =
    page.next.token === null
      ? `stop: ${page.next.reason}`
      : `next token ${JSON.stringify(shownToken(page.next.token))}: continue (${page.next.reason})`;
  return [
    `page ${page.pageNo}  ${page.request.method} ${page.request.url}`,
    `        ${page.status}  ${page.records} record(s)  ${page.bytes} bytes  ${next}`,
  ];
}

/** Next-URL and Link tokens are URLs: redacted like the request URL. */
function shownToken(token: string | number): string | number {
  return typeof token === 'string' && /^https?:\/\//.test(token) ? redactUrl(token) : token;
}

function renderFields(fields: FieldInfo[], total: number): string[] {
  const width = Math.max(...fields.map((field) => field.path.length));
  return fields.map((field) => {
    const seen =
      field.present === total || field.path.includes('[]') ? '' : `  (in ${field.present} of ${total})`;
    return `  ${field.path.padEnd(width)}  ${field.types.join(' | ')}${seen}`;
  });
}
