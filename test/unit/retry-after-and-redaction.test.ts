import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsInText } from '../../activities/http/redact-url.ts';
import { MAX_RETRY_DELAY_MS, retryDelayFromHeaders } from '../../activities/http/retry-after.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const delayOf = (headers: Record<string, string>) => retryDelayFromHeaders(new Headers(headers), NOW);

describe('retryDelayFromHeaders', () => {
  it('reads Retry-After seconds and HTTP-dates', () => {
    expect(delayOf({ 'retry-after': '2' })).toBe(2000);
    expect(delayOf({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' })).toBe(30_000);
    expect(delayOf({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' })).toBe(0);
  });

  it('ignores what it cannot read and caps what is too long', () => {
    expect(delayOf({})).toBeUndefined();
    expect(delayOf({ 'retry-after': 'soon' })).toBeUndefined();
    expect(delayOf({ 'retry-after': '99999' })).toBe(MAX_RETRY_DELAY_MS);
  });

  it('falls back to rate-limit reset headers, as seconds or as a Unix time', () => {
    expect(delayOf({ 'ratelimit-reset': '5' })).toBe(5000);
    expect(delayOf({ 'x-ratelimit-reset': String(NOW / 1000 + 42) })).toBe(42_000);
    expect(delayOf({ 'retry-after': '1', 'x-ratelimit-reset': '9' })).toBe(1000);
  });
});

describe('redactUrl', () => {
  it('hides credential parameters and userinfo', () => {
    expect(redactUrl('https://u:p@api.test/x?api_key=abc&page=2&Token=t')).toBe(
      'https://api.test/x?api_key=REDACTED&page=2&Token=REDACTED',
    );
    expect(redactUrl('https://api.test/x?custom=abc', ['custom'])).toBe('https://api.test/x?custom=REDACTED');
  });

  it('redacts URLs inside a text', () => {
    expect(redactUrlsInText('failed: https://api.test/x?access_token=zzz (GET)')).toBe(
      'failed: https://api.test/x?access_token=REDACTED (GET)',
    );
  });
});
