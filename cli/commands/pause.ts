import { pauseUpdate } from '../../contracts/source-messages.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { withClient } from '../with-client.ts';

export interface PauseOptions {
  reason?: string;
  json?: boolean;
  sources: string;
}

/**
 * `tributary pause <sourceId>`: windows in flight pause at a page boundary, no new window starts
 * and scheduled ticks are counted as skipped until `resume`.
 */
export async function pauseCommand(sourceId: string, values: PauseOptions): Promise<number> {
  if (values.reason !== undefined && values.reason.trim() === '') throw usageError('--reason is empty');
  const source = await findSource(values.sources, sourceId);
  const reason = values.reason?.trim();
  return withClient(async (context) => {
    const { accepted, ...sent } = await sendUpdate(context, source, pauseUpdate, [
      reason === undefined ? {} : { reason },
    ]);
    const line = `paused ${sourceId}${reason === undefined ? '' : ` (${reason})`}: ${sent.workflowId} run ${sent.runId}; windows in flight pause at a page boundary, nothing new starts until "tributary resume ${sourceId}"`;
    printOutcome(values.json ?? false, line, { update: 'pause', ...sent, ...accepted });
    return EXIT.ok;
  });
}
