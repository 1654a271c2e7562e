import type { Payload, PayloadCodec } from '@temporalio/common';
import { secretRedactor } from '../activities/secrets/secret-redaction.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A payload codec that redacts resolved secrets from every JSON payload the worker hands to
 * Temporal: activity results, heartbeat details (which land in history as a failed attempt's last
 * heartbeat), failure details, query answers (the source's `status`), workflow results. It changes
 * only the data, never the encoding, so clients decode these payloads without it (decode is the
 * identity). A payload is rewritten only when it holds a registered value, and then through
 * JSON.parse/stringify, so the JSON stays valid whatever the secret's characters.
 * Payloads are data the workflows run on (checkpoints, the source definition), so only values of
 * 8 characters or more are redacted here (scope `long`): a short username that is also a word of
 * the base URL must not turn the URL into REDACTED. Messages inside payloads were redacted in
 * full where they were made (the activity boundary, the logger).
 */
export const redactingPayloadCodec: PayloadCodec = {
  async encode(payloads) {
    return secretRedactor.active ? payloads.map(redactPayload) : payloads;
  },
  async decode(payloads) {
    return payloads;
  },
};

function redactPayload(payload: Payload): Payload {
  const encoding = payload.metadata?.encoding;
  if (payload.data === undefined || payload.data === null || encoding === undefined || encoding === null) {
    return payload;
  }
  if (!decoder.decode(encoding).startsWith('json/')) return payload;
  const text = decoder.decode(payload.data);
  if (secretRedactor.redact(text, 'long') === text) return payload;
  const redacted = JSON.stringify(secretRedactor.redactDeep(JSON.parse(text), 'long'));
  return { ...payload, data: encoder.encode(redacted) };
}
