import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/activity';
import type { SecretRef } from '../../config/source.ts';
import { secretRedactor } from './secret-redaction.ts';

export interface SecretResolver {
  /** The secret's value. Errors name the secret or variable, never a value. */
  resolve(ref: SecretRef): Promise<string>;
  /** Drops the cached values of these references, so the next `resolve` reads them again (a rotated secret). */
  forget(refs: readonly SecretRef[]): void;
}

export interface SecretResolverOptions {
  /** Created on first use of a `secret` ref when absent (region and credentials from the environment). */
  secretsManager?: SecretsManagerClient;
  env?: NodeJS.ProcessEnv;
  /** How long a Secrets Manager value is reused; rotated secrets are picked up after this. */
  ttlMs?: number;
  now?: () => number;
}

const DEFAULT_TTL_MS = 5 * 60 * 1000;

/**
 * Resolves secret references inside activities: `env` from the worker's environment, `secret`
 * from AWS Secrets Manager, cached per process for `ttlMs`. `key` reads a field of a JSON secret.
 */
export function createSecretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  let client = options.secretsManager;
  // Promises, so that concurrent first reads of one secret make one call.
  const cache = new Map<string, { expiresAt: number; value: Promise<string> }>();

  const fetchSecret = (secretId: string): Promise<string> => {
    const cached = cache.get(secretId);
    if (cached !== undefined && cached.expiresAt > now()) return cached.value;
    client ??= new SecretsManagerClient({});
    const value = readSecretsManager(client, secretId);
    cache.set(secretId, { expiresAt: now() + ttlMs, value });
    value.catch(() => cache.delete(secretId));
    return value;
  };

  return {
    async resolve(ref) {
      if (ref.env !== undefined) {
        const value = env[ref.env];
        if (value === undefined || value === '') {
          throw ApplicationFailure.create({
            message: `environment variable ${ref.env} is not set on the worker: set it, or point the secret reference at Secrets Manager with "secret"`,
            type: 'SecretNotFound',
            nonRetryable: true,
          });
        }
        return registered(
          value,
          ref.key === undefined ? value : readKey(value, ref.key, `environment variable ${ref.env}`),
        );
      }
      if (ref.secret === undefined) {
        throw ApplicationFailure.create({
          message: 'a secret reference sets neither "secret" nor "env": set exactly one',
          type: 'SecretNotFound',
          nonRetryable: true,
        });
      }
      const value = await fetchSecret(ref.secret);
      return registered(
        value,
        ref.key === undefined ? value : readKey(value, ref.key, `secret '${ref.secret}'`),
      );
    },
    forget(refs) {
      for (const ref of refs) if (ref.secret !== undefined) cache.delete(ref.secret);
    },
  };
}

/** Registers the raw secret and the value read from it with the redactor, and returns the value. */
function registered(raw: string, value: string): string {
  secretRedactor.register(raw);
  secretRedactor.register(value);
  return value;
}

async function readSecretsManager(client: SecretsManagerClient, secretId: string): Promise<string> {
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (output.SecretString !== undefined) return output.SecretString;
    if (output.SecretBinary !== undefined) return new TextDecoder().decode(output.SecretBinary);
    throw ApplicationFailure.create({
      message: `secret '${secretId}' has no value in Secrets Manager: put a secret value into it`,
      type: 'SecretNotFound',
      nonRetryable: true,
    });
  } catch (error) {
    throw secretsManagerFailure(error, secretId);
  }
}

function secretsManagerFailure(error: unknown, secretId: string): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const name = error instanceof Error ? error.name : 'Error';
  switch (name) {
    case 'ResourceNotFoundException':
      return ApplicationFailure.create({
        message: `secret '${secretId}' does not exist in Secrets Manager (or not in the worker's region): create it or fix the secret name in the source's auth`,
        type: 'SecretNotFound',
        nonRetryable: true,
      });
    case 'AccessDeniedException':
    case 'DecryptionFailure':
      return ApplicationFailure.create({
        message: `the worker may not read secret '${secretId}' (${name}): allow secretsmanager:GetSecretValue (and kms:Decrypt for its key) to the worker's role`,
        type: 'SecretAccessDenied',
        nonRetryable: true,
      });
    case 'InvalidRequestException':
    case 'InvalidParameterException':
      return ApplicationFailure.create({
        message: `Secrets Manager rejected reading secret '${secretId}' (${name}); check that it is not scheduled for deletion and that the name or ARN is right`,
        type: 'SecretNotFound',
        nonRetryable: true,
      });
    default:
      // Throttling, network trouble, expired session: worth another attempt.
      return ApplicationFailure.create({
        message: `reading secret '${secretId}' from Secrets Manager failed (${name}); retrying`,
        type: 'SecretsManagerUnavailable',
      });
  }
}

function readKey(raw: string, key: string, what: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw ApplicationFailure.create({
      message: `${what} is not a JSON object, so key '${key}' cannot be read: store a JSON object or remove "key"`,
      type: 'SecretNotFound',
      nonRetryable: true,
    });
  }
  const value = (parsed as Record<string, unknown>)[key];
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const keys = Object.keys(parsed).join(', ') || '(none)';
  throw ApplicationFailure.create({
    message: `${what} has no string key '${key}'; its keys are: ${keys}`,
    type: 'SecretNotFound',
    nonRetryable: true,
  });
}
