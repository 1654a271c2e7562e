import { z } from 'zod';
import { payloadEncryptionSettingsSchema } from './worker-settings.ts';

/** The port `tributary codec-server` and the local stack use unless told otherwise (the UI is on 8233). */
export const codecServerDefaultPort = 8234;

/**
 * `tributary codec-server`: the Temporal Web UI and `temporal workflow show --codec-endpoint` send
 * payloads here to be decoded (or encoded) with the worker's KMS configuration.
 */
export const codecServerSettingsSchema = payloadEncryptionSettingsSchema.extend({
  TRIBUTARY_CODEC_SERVER_TOKEN: z
    .string({
      error: 'set TRIBUTARY_CODEC_SERVER_TOKEN: every request must carry it (16 characters or more)',
    })
    .min(16, 'TRIBUTARY_CODEC_SERVER_TOKEN must be 16 characters or more (try: openssl rand -hex 24)'),
  TRIBUTARY_CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  TRIBUTARY_CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65_535).default(codecServerDefaultPort),
  /** Comma-separated origins of the Web UI allowed to call from a browser. */
  TRIBUTARY_CODEC_SERVER_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233,http://127.0.0.1:8233')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    ),
  TRIBUTARY_CODEC_SERVER_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
});

export type CodecServerSettings = z.infer<typeof codecServerSettingsSchema>;
