import { readFile } from 'node:fs/promises';
import type { ConnectionSettings } from './worker-settings.ts';

/** Connection options shared by the worker (NativeConnection) and clients (Connection). */
export async function temporalConnectionOptions(settings: ConnectionSettings) {
  const clientCertPair =
    settings.TEMPORAL_TLS_CERT && settings.TEMPORAL_TLS_KEY
      ? { crt: Buffer.from(settings.TEMPORAL_TLS_CERT), key: Buffer.from(settings.TEMPORAL_TLS_KEY) }
      : settings.TEMPORAL_TLS_CERT_PATH && settings.TEMPORAL_TLS_KEY_PATH
        ? {
            crt: await readFile(settings.TEMPORAL_TLS_CERT_PATH),
            key: await readFile(settings.TEMPORAL_TLS_KEY_PATH),
          }
        : undefined;
  const tls = clientCertPair
    ? { clientCertPair }
    : settings.TEMPORAL_TLS || settings.TEMPORAL_API_KEY
      ? true
      : undefined;
  return {
    address: settings.TEMPORAL_ADDRESS,
    ...(tls === undefined ? {} : { tls }),
    ...(settings.TEMPORAL_API_KEY ? { apiKey: settings.TEMPORAL_API_KEY } : {}),
  };
}
