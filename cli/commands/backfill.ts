import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { chunksOf, pendingBackfillOf } from '../../contracts/backfill-plan.ts';
import {
  type BackfillRequest,
  backfillRequestSchema,
  backfillSignal,
} from '../../contracts/source-messages.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource, refuseChildSource } from '../find-source.ts';
import { parseIsoDateTime } from '../iso-date-time.ts';
import { parseIsoDuration } from '../iso-duration.ts';
import { operatorCommand } from '../operator-command.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendSignal } from '../send-signal.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { withClient } from '../with-client.ts';

const USAGE =
  'usage: tributary backfill <sourceId> --from ISO-8601 --to ISO-8601 [--chunk P1D] [--json] [--sources PATH]';

/**
 * `tributary backfill <sourceId> --from --to`: queues one window per chunk of [from, to) in the
 * source's workflow. Arguments are checked here with the workflow's own planner, so a request
 * the workflow would reject is exit 2 and nothing is sent.
 */
export const backfillCommand = operatorCommand(USAGE, async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      chunk: { type: 'string', default: 'P1D' },
      json: { type: 'boolean', default: false },
      sources: { type: 'string', default: defaultSourcesPath() },
    },
  });
  const [sourceId, ...extra] = positionals;
  if (!sourceId || extra.length > 0) throw usageError('give exactly one source id');
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
  const plan = { chunks: [...chunksOf(pendingBackfillOf(checked.data))] };
  const source = await findSource(values.sources, sourceId);
  refuseChildSource(source, 'backfill');
  if (source.incremental === undefined) {
    throw usageError(
      `source "${sourceId}" has no "incremental" settings, so it cannot read a date range: add incremental.cursorField and incremental.param (and untilParam for the upper bound)`,
    );
  }
  return withClient(async (context) => {
    const sent = await sendSignal(context, source, backfillSignal, [request]);
    const chunks = plan.chunks.length;
    const line = `backfill of ${sourceId} requested: ${chunks} chunk${chunks === 1 ? '' : 's'} of ${chunk} from ${from} to ${to} (request ${requestId}): signalled ${sent.workflowId}, run ${sent.runId}`;
    printOutcome(values.json, line, {
      signal: 'backfill',
      ...request,
      chunks,
      windowKeys: plan.chunks.map((c) => c.windowKey),
      ...sent,
    });
    return EXIT.ok;
  });
});
