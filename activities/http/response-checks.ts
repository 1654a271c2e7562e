import type { ResponseCheck } from '../../config/source.ts';
import { getPath } from './json-path.ts';

export interface CheckedResponse {
  contentType: string | null;
  body: unknown;
  records: readonly unknown[];
  /** Whether the API says more pages follow. */
  morePages: boolean;
}

/** What a check asserts, in the words of the source file. */
export function describeCheck(check: ResponseCheck): string {
  if (check.contentType) return 'contentType: json';
  if (check.minRecords !== undefined) return `minRecords: ${check.minRecords}`;
  if (check.present) return `\`${check.path}\` present`;
  if (check.absent) return `\`${check.path}\` absent`;
  return `\`${check.path}\` equals ${JSON.stringify(check.equals)}`;
}

/** The first check the response fails, with what was seen instead; undefined when all pass. */
export function failedCheck(checks: readonly ResponseCheck[], response: CheckedResponse): string | undefined {
  for (const check of checks) {
    const seen = violation(check, response);
    if (seen !== undefined) return `check ${describeCheck(check)} failed: ${seen}`;
  }
  return undefined;
}

function violation(check: ResponseCheck, response: CheckedResponse): string | undefined {
  if (check.contentType) {
    return response.contentType?.toLowerCase().includes('json')
      ? undefined
      : `content type is ${response.contentType ?? 'missing'}`;
  }
  if (check.minRecords !== undefined) {
    if (!response.morePages || response.records.length >= check.minRecords) return undefined;
    return `${response.records.length} records while the API says more pages follow`;
  }
  const value = getPath(response.body, check.path ?? '$');
  if (check.present) return value === undefined ? 'it is absent' : undefined;
  if (check.absent) return value === undefined ? undefined : `it is ${JSON.stringify(value)}`;
  return value === check.equals
    ? undefined
    : `it is ${value === undefined ? 'absent' : JSON.stringify(value)}`;
}
