import { ApplicationFailure } from '@temporalio/workflow';

const AUTH_FAILURES = new Set([
  'HttpUnauthorized',
  'HttpForbidden',
  'SecretNotFound',
  'SecretAccessDenied',
  'InvalidCredential',
]);

/** The innermost failure of a chain (child workflow → activity → application failure). */
export function rootCause(error: unknown): Error {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current : new Error(String(error));
}

/** Whether a failed window failed on credentials: retrying it cannot help until someone acts. */
export function isAuthFailure(error: unknown): boolean {
  const root = rootCause(error);
  return (
    root instanceof ApplicationFailure &&
    root.type !== undefined &&
    root.type !== null &&
    AUTH_FAILURES.has(root.type)
  );
}
