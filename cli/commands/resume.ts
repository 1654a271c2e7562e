import { parseArgs } from 'node:util';
import { resumeUpdate } from '../../contracts/source-messages.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { operatorCommand } from '../operator-command.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { withClient } from '../with-client.ts';

const USAGE = 'usage: tributary resume <sourceId> [--json] [--sources PATH]';

/**
 * `tributary resume <sourceId>`: sends the definition from the files (so a fixed file takes
 * effect), paused windows continue at their page with it, queued ones start with it, and the
 * count of consecutive failures (the circuit breaker's) is reset; the window the breaker stopped
 * on runs again first.
 */
export const resumeCommand = operatorCommand(USAGE, async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      sources: { type: 'string', default: defaultSourcesPath() },
    },
  });
  const [sourceId, ...extra] = positionals;
  if (!sourceId || extra.length > 0) throw usageError('give exactly one source id');
  const source = await findSource(values.sources, sourceId);
  return withClient(async (context) => {
    const { accepted, ...sent } = await sendUpdate(context, source, resumeUpdate, [{ source }]);
    const rerun =
      accepted.rerun === undefined
        ? ''
        : `; the failed window ${accepted.rerun.windowKey} runs again first (workflow ${accepted.rerun.workflowId})`;
    const line = `resumed ${sourceId} (failure count reset): ${sent.workflowId} run ${sent.runId}${rerun}`;
    printOutcome(values.json, line, { update: 'resume', ...sent, ...accepted });
    return EXIT.ok;
  });
});
