import { type Client, WorkflowFailedError } from '@temporalio/client';
import type { WindowSummary } from '../contracts/window.ts';
import { progressQuery } from '../contracts/window-messages.ts';
import { failureText } from './failure-text.ts';

export type WindowEnd = { summary: WindowSummary } | { error: string };

/**
 * The result of a window workflow (following its continue-as-new runs), or its failure. Rides out
 * a Temporal server that is restarting; past `deadlineAt` the window is terminated and reported as
 * failed with the page it had reached, so a hung run cannot hang the suite.
 */
export async function awaitWindow(
  client: Client,
  workflowId: string,
  deadlineAt: number,
): Promise<WindowEnd> {
  for (;;) {
    const remaining = deadlineAt - Date.now();
    if (remaining <= 0) return { error: await giveUp(client, workflowId, deadlineAt) };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), remaining);
    });
    try {
      const result = await Promise.race([client.workflow.getHandle(workflowId).result(), timeout]);
      if (result !== 'deadline') return { summary: result as WindowSummary };
    } catch (error) {
      if (error instanceof WorkflowFailedError) return { error: failureText(error) };
      // The server is unreachable (being restarted): ask again shortly.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      clearTimeout(timer);
    }
  }
}

async function giveUp(client: Client, workflowId: string, deadlineAt: number): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  // Bounded: the server itself may be what does not answer.
  const progress = await within(handle.query(progressQuery), 5_000);
  await within(handle.terminate('the fault suite deadline passed'), 5_000);
  const at = progress === undefined ? '' : ` at page ${progress.checkpoint.pageNo}`;
  return `no result by the run's deadline (${new Date(deadlineAt).toISOString()})${at}; terminated`;
}

/** The promise's value, or undefined when it fails or takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
