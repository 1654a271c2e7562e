import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { forgettingRefusedSecrets, secretRefsOf } from '../../activities/secrets/refused-credentials.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { rejectionOf } from '../support/fetch-all-pages.ts';
import { cursorSource } from '../support/sample-sources.ts';

/** A Secrets Manager whose values the test rotates; counts GetSecretValue calls. */
function rotatingSecretsManager(values: Record<string, string>) {
  const calls: string[] = [];
  const client = {
    send: async (command: { input: { SecretId: string } }) => {
      calls.push(command.input.SecretId);
      return { SecretString: values[command.input.SecretId] };
    },
  };
  return { client: client as unknown as SecretsManagerClient, calls, values };
}

const source = cursorSource('http://127.0.0.1:1', {
  id: 'rotating',
  auth: { type: 'bearer', token: { secret: 'api/token' } },
});
const ref = { secret: 'api/token' };
const refused = (type: string) => ApplicationFailure.create({ message: 'refused', type, nonRetryable: true });

describe('the secret cache after the API refused the credentials', () => {
  it('reads a rotated secret again after a 401 or 403, within the TTL', async () => {
    const sm = rotatingSecretsManager({ 'api/token': 'v1' });
    const secrets = createSecretResolver({ secretsManager: sm.client, ttlMs: 300_000 });
    expect(await secrets.resolve(ref)).toBe('v1');
    sm.values['api/token'] = 'v2';
    expect(await secrets.resolve(ref)).toBe('v1');
    for (const type of ['HttpUnauthorized', 'HttpForbidden']) {
      const failure = await rejectionOf(
        forgettingRefusedSecrets(secrets, source, false, () => Promise.reject(refused(type))),
      );
      expect(failure).toMatchObject({ type });
      expect(await secrets.resolve(ref)).toBe('v2');
      sm.values['api/token'] = 'v1';
      expect(await secrets.resolve(ref)).toBe('v2');
      sm.values['api/token'] = 'v2';
    }
  });

  it('keeps the cache on other failures, and drops it before a batch that follows a refusal', async () => {
    const sm = rotatingSecretsManager({ 'api/token': 'v1' });
    const secrets = createSecretResolver({ secretsManager: sm.client, ttlMs: 300_000 });
    await secrets.resolve(ref);
    sm.values['api/token'] = 'v2';
    await rejectionOf(
      forgettingRefusedSecrets(secrets, source, false, () => Promise.reject(refused('HttpServerError'))),
    );
    expect(await secrets.resolve(ref)).toBe('v1');
    // Another worker saw the refusal: this one drops its copy before the resumed batch.
    const token = await forgettingRefusedSecrets(secrets, source, true, () => secrets.resolve(ref));
    expect(token).toBe('v2');
    expect(sm.calls).toEqual(['api/token', 'api/token']);
  });

  it('lists every secret reference of each auth type, never a literal value', () => {
    expect(secretRefsOf({ type: 'none' })).toEqual([]);
    expect(secretRefsOf({ type: 'bearer', token: { env: 'TOKEN' } })).toEqual([{ env: 'TOKEN' }]);
    expect(secretRefsOf({ type: 'basic', username: 'me', password: { secret: 'pw' } })).toEqual([
      { secret: 'pw' },
    ]);
    expect(
      secretRefsOf({
        type: 'oauth2-client-credentials',
        tokenUrl: 'https://example.com/token',
        clientId: { secret: 'id' },
        clientSecret: { secret: 'cs' },
        scopes: [],
        clientAuth: 'basic',
      }),
    ).toEqual([{ secret: 'id' }, { secret: 'cs' }]);
  });
});
