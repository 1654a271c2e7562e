import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Why a source's workflow refused an Update (its validator or a rule of its state), or undefined
 * when the error is something else. The workflow answers with an ApplicationFailure of type
 * `MessageRefused`, carried as the cause of the client's WorkflowUpdateFailedError (whose own
 * message is only "Workflow Update failed").
 */
export function updateRefusal(error: unknown): string | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'MessageRefused') return cause.message;
  return undefined;
}
