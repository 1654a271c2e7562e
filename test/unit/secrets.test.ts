import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { rejectionOf } from '../support/fetch-all-pages.ts';

/** Counts GetSecretValue calls; the real client is tested against moto elsewhere. */
function fakeSecretsManager(values: Record<string, string>) {
  const calls: string[] = [];
  const client = {
    send: async (command: { input: { SecretId: string } }) => {
      calls.push(command.input.SecretId);
      const value = values[command.input.SecretId];
      if (value === undefined)
        throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { SecretString: value };
    },
  };
  return { client: client as unknown as SecretsManagerClient, calls };
}

describe('env references', () => {
  const resolver = createSecretResolver({
    env: { TOKEN: 'tok-123', JSON_SECRET: '{"password":"pw-9","n":1}' },
  });

  it('reads the variable, or a key of its JSON', async () => {
    expect(await resolver.resolve({ env: 'TOKEN' })).toBe('tok-123');
    expect(await resolver.resolve({ env: 'JSON_SECRET', key: 'password' })).toBe('pw-9');
  });

  it('names a missing variable and does not retry', async () => {
    const failure = await rejectionOf(resolver.resolve({ env: 'MISSING_TOKEN' }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'SecretNotFound' });
    expect(failure.message).toContain('environment variable MISSING_TOKEN is not set');
  });

  it('lists the keys, never the values, when a key is missing', async () => {
    const failure = await rejectionOf(resolver.resolve({ env: 'JSON_SECRET', key: 'user' }));
    expect(failure.message).toBe(
      "environment variable JSON_SECRET has no string key 'user'; its keys are: password, n",
    );
    const notJson = await rejectionOf(resolver.resolve({ env: 'TOKEN', key: 'user' }));
    expect(notJson.message).not.toContain('tok-123');
  });
});

describe('Secrets Manager references', () => {
  it('caches a secret for ttlMs and reads it again after', async () => {
    let now = 0;
    const { client, calls } = fakeSecretsManager({ 'api/key': '{"key":"v1"}' });
    const resolver = createSecretResolver({ secretsManager: client, ttlMs: 1000, now: () => now });
    const ref = { secret: 'api/key', key: 'key' };
    await Promise.all([resolver.resolve(ref), resolver.resolve(ref)]);
    now = 999;
    expect(await resolver.resolve(ref)).toBe('v1');
    expect(calls).toEqual(['api/key']);
    now = 1000;
    await resolver.resolve(ref);
    expect(calls).toEqual(['api/key', 'api/key']);
  });

  it('does not cache a failure, and says how to fix a missing secret', async () => {
    const { client, calls } = fakeSecretsManager({});
    const resolver = createSecretResolver({ secretsManager: client });
    const failure = await rejectionOf(resolver.resolve({ secret: 'nope' }));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'SecretNotFound' });
    expect(failure.message).toContain("secret 'nope' does not exist");
    await rejectionOf(resolver.resolve({ secret: 'nope' }));
    expect(calls).toHaveLength(2);
  });
});
