import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporalConnectionOptions } from '../../config/temporal-connection.ts';
import { connectionSettingsSchema } from '../../config/worker-settings.ts';

const certificate = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

describe('the Temporal connection from the environment', () => {
  it('takes the mTLS certificate and key as PEM text (as ECS injects them from Secrets Manager)', async () => {
    const settings = connectionSettingsSchema.parse({
      TEMPORAL_ADDRESS: 'prod.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CERT: certificate,
      TEMPORAL_TLS_KEY: key,
    });
    const options = await temporalConnectionOptions(settings);
    expect(options).toEqual({
      address: 'prod.a1b2c.tmprl.cloud:7233',
      tls: { clientCertPair: { crt: Buffer.from(certificate), key: Buffer.from(key) } },
    });
  });

  it('still reads them from files, and takes an API key with TLS on', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'tributary-tls-'));
    try {
      await writeFile(path.join(folder, 'client.pem'), certificate);
      await writeFile(path.join(folder, 'client.key'), key);
      const fromFiles = await temporalConnectionOptions(
        connectionSettingsSchema.parse({
          TEMPORAL_TLS_CERT_PATH: path.join(folder, 'client.pem'),
          TEMPORAL_TLS_KEY_PATH: path.join(folder, 'client.key'),
        }),
      );
      expect(fromFiles.tls).toEqual({
        clientCertPair: { crt: Buffer.from(certificate), key: Buffer.from(key) },
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const withKey = await temporalConnectionOptions(
      connectionSettingsSchema.parse({ TEMPORAL_API_KEY: 'k' }),
    );
    expect(withKey).toEqual({ address: 'localhost:7233', tls: true, apiKey: 'k' });
  });
});
