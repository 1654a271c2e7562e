import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { secretRedactor } from '../../activities/secrets/secret-redaction.ts';
import { installJsonLogging } from '../../workers/logging.ts';
import { redactingPayloadCodec } from '../../workers/redacting-codec.ts';

const TOKEN = 'w0rker-T0KEN\nwith "quotes"';
secretRedactor.register(TOKEN);
secretRedactor.register('acme');

describe('the payload codec', () => {
  it('redacts a secret from a JSON payload and keeps it valid JSON, leaving short values', async () => {
    const payload = defaultPayloadConverter.toPayload({
      message: `failed with ${TOKEN}`,
      baseUrl: 'https://acme.example',
      n: 1,
    });
    const [encoded] = await redactingPayloadCodec.encode([payload]);
    expect(defaultPayloadConverter.fromPayload(encoded!)).toEqual({
      message: 'failed with REDACTED',
      baseUrl: 'https://acme.example',
      n: 1,
    });
    expect(encoded!.metadata).toEqual(payload.metadata);
  });

  it('returns payloads without a secret, binary ones and decodes as they are', async () => {
    const plain = defaultPayloadConverter.toPayload({ checkpoint: { pageNo: 3, token: 'abc' } });
    const binary = defaultPayloadConverter.toPayload(new TextEncoder().encode(TOKEN));
    const encoded = await redactingPayloadCodec.encode([plain, binary]);
    expect(encoded[0]).toBe(plain);
    expect(encoded[1]).toBe(binary);
    expect(await redactingPayloadCodec.decode(encoded)).toBe(encoded);
  });
});

describe("the worker's log lines", () => {
  it('redact the message and the metadata, errors included, which show their message', () => {
    const lines: string[] = [];
    installJsonLogging('INFO', (line) => lines.push(line));
    const error = ApplicationFailure.create({
      message: `Headers.set: "Bearer ${TOKEN}"`,
      type: 'UnexpectedError',
    });
    Runtime.instance().logger.warn(`Activity failed: ${TOKEN}`, {
      error,
      url: `https://x/?k=${encodeURIComponent(TOKEN)}`,
    });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'warn',
      message: 'Activity failed: REDACTED',
      url: 'https://x/?k=REDACTED',
      error: { message: 'Headers.set: "Bearer REDACTED"', type: 'UnexpectedError' },
    });
    expect(lines[0]).not.toContain('w0rker');
  });
});
