import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/**
 * Payloads as the codec server protocol carries them: the Payloads proto in proto3 JSON, where
 * bytes (metadata values, data) are base64 strings.
 */
export const payloadsJsonSchema = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), z.base64()).nullish(),
      data: z.base64().nullish(),
    }),
  ),
});

export type PayloadsJson = z.infer<typeof payloadsJsonSchema>;

export function payloadsFromJson(json: PayloadsJson): Payload[] {
  return json.payloads.map(({ metadata, data }) => ({
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    ...(data === undefined || data === null ? {} : { data: Buffer.from(data, 'base64') }),
  }));
}

export function payloadsToJson(payloads: Payload[]): PayloadsJson {
  return {
    payloads: payloads.map(({ metadata, data }) => ({
      metadata: Object.fromEntries(
        Object.entries(metadata ?? {}).map(([key, value]) => [
          key,
          Buffer.from(value ?? []).toString('base64'),
        ]),
      ),
      ...(data === undefined || data === null ? {} : { data: Buffer.from(data).toString('base64') }),
    })),
  };
}
