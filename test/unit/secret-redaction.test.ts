import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createSecretRedactor, REDACTED } from '../../activities/secrets/secret-redaction.ts';

const TOKEN = 'tok3n-with/slash+plus=eq ual';

describe('secret redaction', () => {
  it('redacts a value as it is, percent-encoded, form-encoded and JSON-escaped', () => {
    const redactor = createSecretRedactor();
    redactor.register(TOKEN);
    const texts = [
      `raw ${TOKEN} end`,
      `https://api.example/x?key=${encodeURIComponent(TOKEN)}&page=2`,
      `https://api.example/x?${new URLSearchParams({ key: TOKEN, page: '2' })}`,
      JSON.stringify({ message: `it was ${TOKEN}` }),
    ];
    for (const text of texts) {
      const redacted = redactor.redact(text);
      expect(redacted).toContain(REDACTED);
      expect(redacted).not.toContain('tok3n');
    }
    expect(redactor.redact(texts[1]!)).toBe('https://api.example/x?key=REDACTED&page=2');
  });

  it('redacts the Bearer form and the quoted header of an HTTP client error', () => {
    const redactor = createSecretRedactor();
    const token = 'line-one-0f-token\nline-two-0f-token';
    redactor.register(token);
    expect(redactor.redact(`TypeError: Headers.set: "Bearer ${token}" is an invalid header value`)).toBe(
      'TypeError: Headers.set: "Bearer REDACTED" is an invalid header value',
    );
    // A text that was split at the token's line break still shows neither part.
    expect(redactor.redact('... "Bearer line-one-0f-token')).toBe('... "Bearer REDACTED');
    expect(redactor.redact('line-two-0f-token" is an invalid')).toBe('REDACTED" is an invalid');
    expect(redactor.redact(JSON.stringify({ m: `Bearer ${token}` }))).toBe('{"m":"Bearer REDACTED"}');
  });

  it('redacts the base64 of a basic-auth pair once it is registered', () => {
    const redactor = createSecretRedactor();
    const password = 'pa55:w0rd-basic';
    redactor.register(password);
    const encoded = Buffer.from(`ada:${password}`).toString('base64');
    // The base64 of a pair does not contain the base64 of its parts: it has to be registered itself.
    expect(redactor.redact(`Basic ${encoded}`)).toBe(`Basic ${encoded}`);
    redactor.register(encoded);
    expect(redactor.redact(`Authorization: Basic ${encoded}`)).toBe('Authorization: Basic REDACTED');
  });

  it('prefers the longest match, so no tail of a longer secret is left', () => {
    const redactor = createSecretRedactor();
    redactor.register('abcdefgh');
    redactor.register('abcdefgh-and-more-of-it');
    expect(redactor.redact('x abcdefgh-and-more-of-it y abcdefgh')).toBe('x REDACTED y REDACTED');
  });

  it('ignores values under 4 characters and redacts values under 8 only as whole words', () => {
    const redactor = createSecretRedactor();
    redactor.register('ab');
    redactor.register('admin');
    expect(redactor.active).toBe(true);
    expect(redactor.redact('a tab, a label')).toBe('a tab, a label');
    expect(redactor.redact('user admin, administrator, badmin')).toBe('user REDACTED, administrator, badmin');
    expect(redactor.redact('"admin:x"')).toBe('"REDACTED:x"');
    redactor.register('longer-secret');
    expect(redactor.redact('xlonger-secretx')).toBe('xREDACTEDx');
  });

  it('does nothing before a value is registered', () => {
    const redactor = createSecretRedactor();
    expect(redactor.active).toBe(false);
    expect(redactor.redact('anything at all')).toBe('anything at all');
    const ab = createSecretRedactor();
    ab.register('ab');
    expect(ab.active).toBe(false);
  });

  it('keeps the newest values when more than the cap are registered', () => {
    const redactor = createSecretRedactor(2);
    redactor.register('first-secret');
    redactor.register('second-secret');
    redactor.register('first-secret'); // still in use: becomes the newest
    redactor.register('third-secret');
    expect(redactor.redact('first-secret second-secret third-secret')).toBe(
      'REDACTED second-secret REDACTED',
    );
  });

  it('redacts an error in place: message, stack, details and causes, keeping its type and flags', () => {
    const redactor = createSecretRedactor();
    redactor.register(TOKEN);
    const cause = new TypeError(`Headers.set: "Bearer ${TOKEN}" is an invalid header value`);
    const failure = ApplicationFailure.create({
      message: `unexpected failure: ${TOKEN}`,
      type: 'UnexpectedError',
      nonRetryable: true,
      details: [{ url: `https://x/?k=${encodeURIComponent(TOKEN)}`, n: 1 }],
      cause,
    });
    const redacted = redactor.redactDeep(failure);
    expect(redacted).toBe(failure);
    expect(redacted).toBeInstanceOf(ApplicationFailure);
    expect(redacted).toMatchObject({ type: 'UnexpectedError', nonRetryable: true });
    expect(redacted.message).toBe('unexpected failure: REDACTED');
    expect(redacted.stack).not.toContain('tok3n');
    expect(redacted.details).toEqual([{ url: 'https://x/?k=REDACTED', n: 1 }]);
    expect(cause.message).toBe('Headers.set: "Bearer REDACTED" is an invalid header value');
  });

  it('copies plain objects and arrays, leaving numbers, nulls and the original alone', () => {
    const redactor = createSecretRedactor();
    redactor.register(TOKEN);
    const value = { a: [TOKEN, 3, null], b: { c: `x ${TOKEN}` }, d: true };
    expect(redactor.redactDeep(value)).toEqual({ a: [REDACTED, 3, null], b: { c: 'x REDACTED' }, d: true });
    expect(value.a[0]).toBe(TOKEN);
  });
});

describe('the long scope, for payloads a workflow runs on', () => {
  it('redacts values of 8 characters or more and leaves short ones, which could be words of a URL', () => {
    const redactor = createSecretRedactor();
    redactor.register('acme');
    redactor.register('long-secret-value');
    const state = { baseUrl: 'https://api.acme.example', note: 'key long-secret-value' };
    expect(redactor.redactDeep(state, 'long')).toEqual({
      baseUrl: 'https://api.acme.example',
      note: `key ${REDACTED}`,
    });
    expect(redactor.redact('https://api.acme.example')).toBe('https://api.REDACTED.example');
  });
});
