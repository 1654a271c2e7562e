import { parseArgs } from 'node:util';
import { resumeSignal } from '../../contracts/source-messages.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { operatorCommand } from '../operator-command.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendSignal } from '../send-signal.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { withClient } from '../with-client.ts';

const USAGE = 'usage: tributary resume <sourceId> [--json] [--sources PATH]';

/**
 * `tributary resume <sourceId>`: sends the definition from the files (so a fixed file takes
 * effect), paused windows continue at their page with it, queued ones start with it, and the
 * count of consecutive failures (the circuit breaker's) is reset.
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
    const sent = await sendSignal(context, source, resumeSignal, [{ source }]);
    const line = `resumed ${sourceId} (failure count reset): signalled ${sent.workflowId}, run ${sent.runId}`;
    printOutcome(values.json, line, { signal: 'resume', ...sent });
    return EXIT.ok;
  });
});
