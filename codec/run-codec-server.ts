import { type CodecServerSettings, codecServerSettingsSchema } from '../config/codec-server-settings.ts';
import { readSettings } from '../config/worker-settings.ts';
import { type CodecServer, startCodecServer } from './codec-server.ts';
import { payloadEncryption } from './data-converter.ts';

/** The codec server with the worker's KMS configuration, from the environment. */
export async function codecServerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  log: (message: string) => void = () => undefined,
): Promise<{ server: CodecServer; settings: CodecServerSettings }> {
  const settings = readSettings(codecServerSettingsSchema, env);
  const encryption = payloadEncryption(env, undefined, settings);
  const server = await startCodecServer({
    codec: encryption.codec,
    token: settings.TRIBUTARY_CODEC_SERVER_TOKEN,
    allowedOrigins: settings.TRIBUTARY_CODEC_SERVER_CORS_ORIGINS,
    maxBodyBytes: settings.TRIBUTARY_CODEC_SERVER_MAX_BODY_BYTES,
    host: settings.TRIBUTARY_CODEC_SERVER_HOST,
    port: settings.TRIBUTARY_CODEC_SERVER_PORT,
    log,
  });
  return { server, settings };
}
