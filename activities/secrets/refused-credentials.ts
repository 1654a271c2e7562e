import { ApplicationFailure } from '@temporalio/activity';
import type { AuthConfig, SecretRef, Source } from '../../config/source.ts';
import type { SecretResolver } from './secrets.ts';

/** Failures that mean the API refused what the secrets hold (a rotated or wrong secret). */
const REFUSED = new Set(['HttpUnauthorized', 'HttpForbidden']);

/** Every secret reference of a source's auth. */
export function secretRefsOf(auth: AuthConfig | undefined): SecretRef[] {
  const refs = (values: Array<SecretRef | string | undefined>) =>
    values.filter((value): value is SecretRef => typeof value === 'object' && value !== null);
  switch (auth?.type) {
    case 'api-key':
      return refs([auth.value]);
    case 'bearer':
      return refs([auth.token]);
    case 'basic':
      return refs([auth.username, auth.password]);
    case 'oauth2-client-credentials':
      return refs([auth.clientId, auth.clientSecret]);
    default:
      return [];
  }
}

/**
 * Runs a batch of pages so that the worker's secret cache never serves a value the API refused:
 * the source's cached secrets are dropped before a batch that follows a refusal (`reread`), and
 * when this batch is refused, so that a secret rotated meanwhile is read again on `resume`.
 */
export async function forgettingRefusedSecrets<T>(
  secrets: SecretResolver,
  source: Source,
  reread: boolean | undefined,
  run: () => Promise<T>,
): Promise<T> {
  if (reread === true) secrets.forget(secretRefsOf(source.auth));
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApplicationFailure && REFUSED.has(error.type ?? '')) {
      secrets.forget(secretRefsOf(source.auth));
    }
    throw error;
  }
}
