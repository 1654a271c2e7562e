import { randomUUID } from 'node:crypto';
import {
  type BackfillAccepted,
  type BackfillRequest,
  backfillRequestSchema,
  backfillUpdate,
} from '../../contracts/source-messages.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource, refuseChildSource } from '../find-source.ts';
import { parseIsoDateTime } from '../iso-date-time.ts';
import { parseIsoDuration } from '../iso-duration.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { withClient } from '../with-client.ts';

export interface BackfillOptions {
  from?: string;
  to?: string;
  chunk: string;
  json?: boolean;
  sources: string;
}

/**
 * `tributary backfill <sourceId> --from --to`: queues one window per chunk of [from, to) in the
 * source's workflow and prints the windows it queued and how many chunks it already knew (read by
 * a backfill that succeeded, queued or running). Arguments are checked here with the workflow's
 * own schema, so a request the workflow would reject is exit 2 and nothing is sent.
 */
export async function backfillCommand(sourceId: string, values: BackfillOptions): Promise<number> {
  if (values.from === undefined || values.to === undefined) throw usageError('--from and --to are required');
  const from = parseIsoDateTime('--from', values.from);
  const to = parseIsoDateTime('--to', values.to);
  if (Date.parse(from) >= Date.parse(to)) throw usageError(`--from (${from}) must be before --to (${to})`);
  const chunk = parseIsoDuration('--chunk', values.chunk);
  const requestId = randomUUID();
  const request: BackfillRequest = { from, to, chunk, requestId };
  const checked = backfillRequestSchema.safeParse(request);
  if (!checked.success) {
    throw usageError(
      checked.error.issues.map((issue) => `--${issue.path.join('.')} ${issue.message}`).join('; '),
    );
  }
  const source = await findSource(values.sources, sourceId);
  refuseChildSource(source, 'backfill');
  if (source.incremental === undefined) {
    throw usageError(
      `source "${sourceId}" has no "incremental" settings, so it cannot read a date range: add incremental.cursorField and incremental.param (and untilParam for the upper bound)`,
    );
  }
  return withClient(async (context) => {
    const { accepted, ...sent } = await sendUpdate(context, source, backfillUpdate, [{ ...request, source }]);
    const line = [
      `backfill of ${sourceId}: ${accepted.chunks} chunk${accepted.chunks === 1 ? '' : 's'} of ${chunk} from ${from} to ${to}, ${queuedCounts(accepted)}: request ${requestId}, ${sent.workflowId} run ${sent.runId}`,
      ...accepted.windows.map((window) => `  ${window.windowKey}  ${window.workflowId}`),
      ...(accepted.queued > accepted.windows.length
        ? [
            `  … and ${accepted.queued - accepted.windows.length} more ("tributary status ${sourceId}" lists the queue)`,
          ]
        : []),
    ].join('\n');
    printOutcome(values.json ?? false, line, { update: 'backfill', ...request, ...sent, ...accepted });
    return EXIT.ok;
  });
}

/** `1 queued, 2 already known (read by a backfill that succeeded, queued or running)` */
function queuedCounts(accepted: BackfillAccepted): string {
  const why = accepted.known === 0 ? '' : ' (read by a backfill that succeeded, queued or running)';
  return `${accepted.queued} queued, ${accepted.known} already known${why}`;
}
