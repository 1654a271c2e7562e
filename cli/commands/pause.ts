import { parseArgs } from 'node:util';
import { pauseUpdate } from '../../contracts/source-messages.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { operatorCommand } from '../operator-command.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { withClient } from '../with-client.ts';

const USAGE = 'usage: tributary pause <sourceId> [--reason TEXT] [--json] [--sources PATH]';

/**
 * `tributary pause <sourceId>`: windows in flight pause at a page boundary, no new window starts
 * and scheduled ticks are counted as skipped until `resume`.
 */
export const pauseCommand = operatorCommand(USAGE, async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      reason: { type: 'string' },
      json: { type: 'boolean', default: false },
      sources: { type: 'string', default: defaultSourcesPath() },
    },
  });
  const [sourceId, ...extra] = positionals;
  if (!sourceId || extra.length > 0) throw usageError('give exactly one source id');
  if (values.reason !== undefined && values.reason.trim() === '') throw usageError('--reason is empty');
  const source = await findSource(values.sources, sourceId);
  const reason = values.reason?.trim();
  return withClient(async (context) => {
    const { accepted, ...sent } = await sendUpdate(context, source, pauseUpdate, [
      reason === undefined ? {} : { reason },
    ]);
    const line = `paused ${sourceId}${reason === undefined ? '' : ` (${reason})`}: ${sent.workflowId} run ${sent.runId}; windows in flight pause at a page boundary, nothing new starts until "tributary resume ${sourceId}"`;
    printOutcome(values.json, line, { update: 'pause', ...sent, ...accepted });
    return EXIT.ok;
  });
});
