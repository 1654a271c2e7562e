import { resumeUpdate } from '../../contracts/source-messages.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { withClient } from '../with-client.ts';

export interface ResumeOptions {
  json?: boolean;
  sources: string;
}

/**
 * `tributary resume <sourceId>`: sends the definition from the files (so a fixed file takes
 * effect), paused windows continue at their page with it, queued ones start with it, and the
 * count of consecutive failures (the circuit breaker's) is reset; the window the breaker stopped
 * on runs again first.
 */
export async function resumeCommand(sourceId: string, values: ResumeOptions): Promise<number> {
  const source = await findSource(values.sources, sourceId);
  return withClient(async (context) => {
    const { accepted, ...sent } = await sendUpdate(context, source, resumeUpdate, [{ source }]);
    const rerun =
      accepted.rerun === undefined
        ? ''
        : `; the failed window ${accepted.rerun.windowKey} runs again first (workflow ${accepted.rerun.workflowId})`;
    const line = `resumed ${sourceId} (failure count reset): ${sent.workflowId} run ${sent.runId}${rerun}`;
    printOutcome(values.json ?? false, line, { update: 'resume', ...sent, ...accepted });
    return EXIT.ok;
  });
}
