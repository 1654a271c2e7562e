import { randomUUID } from 'node:crypto';
import {
  type BackfillAccepted,
  type BackfillRequest,
  backfillRequestSchema,
  backfillUpdate,
} from '../../contracts/source-messages.ts';
import { CliError, usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource, refuseChildSource } from '../find-source.ts';
import { parseIsoDateTime } from '../iso-date-time.ts';
import { parseIsoDuration } from '../iso-duration.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { waitProgress } from '../status/wait-progress.ts';
import { backfillProgressLine, waitForBackfill } from '../wait-for-backfill.ts';
import { SourcePausedError } from '../wait-for-result.ts';
import { type ClientContext, withClient } from '../with-client.ts';

export interface BackfillOptions {
  from?: string;
  to?: string;
  chunk: string;
  wait?: boolean;
  json?: boolean;
  sources: string;
}

/**
 * `tributary backfill <sourceId> --from --to`: queues one window per chunk of [from, to) in the
 * source's workflow and prints the windows it queued and how many chunks it already knew (read by
 * a backfill that succeeded, queued or running). Arguments are checked here with the workflow's
 * own schema, so a request the workflow would reject is exit 2 and nothing is sent. With --wait,
 * shows progress across the queued chunks on stderr and exits 0 when all succeeded, 1 when one
 * failed, 4 when the source is paused.
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
    const outcome = { update: 'backfill', ...request, ...sent, ...accepted };
    if (!values.wait || accepted.windows.length === 0) {
      printOutcome(values.json ?? false, line, outcome);
      return EXIT.ok;
    }
    if (!values.json) process.stdout.write(`${line}\n`);
    return waitForChunks(context, sourceId, accepted, requestId, values.json ?? false, (results, paused) =>
      printOutcome(values.json ?? false, results === undefined ? '' : resultsText(sourceId, results), {
        ...outcome,
        ...(results === undefined ? {} : { results }),
        ...(paused === undefined ? {} : { paused: true, pausedReason: paused.pausedReason ?? null }),
      }),
    );
  });
}

type Results = Awaited<ReturnType<typeof waitForBackfill>>;

/** Waits for the chunks this request queued, progress on stderr (stdout stays the outcome). */
async function waitForChunks(
  context: ClientContext,
  sourceId: string,
  accepted: BackfillAccepted,
  requestId: string,
  json: boolean,
  print: (results: Results | undefined, paused?: SourcePausedError) => void,
): Promise<number> {
  if (accepted.queued > accepted.windows.length) {
    process.stderr.write(
      `waiting for the first ${accepted.windows.length} of ${accepted.queued} chunks queued ("tributary status ${sourceId}" follows the rest)\n`,
    );
  }
  const startedAt = new Date().toISOString();
  const progress = waitProgress({ sourceId });
  let results: Results;
  try {
    results = await waitForBackfill(context, {
      sourceId,
      windows: accepted.windows,
      requestId,
      onProgress: (seen) => progress.show(backfillProgressLine(sourceId, seen, startedAt, new Date())),
    });
  } catch (error) {
    if (!(error instanceof SourcePausedError)) throw error;
    // Without --json the message says it all, on stderr; a script gets the outcome too.
    if (json) print(undefined, error);
    const reason = error.pausedReason === undefined ? '' : ` (${error.pausedReason})`;
    throw new CliError(
      EXIT.paused,
      `${sourceId} is paused${reason}: the chunks wait for "tributary resume ${sourceId}"; fix the cause, then run that (it sends the definition from the files)`,
    );
  } finally {
    progress.done();
  }
  print(results);
  return results.every((result) => result.status === 'succeeded') ? EXIT.ok : EXIT.failed;
}

/** `orders backfill: 2 of 3 chunks succeeded, 16 pages, 160 records`, then each failed chunk and its error. */
function resultsText(sourceId: string, results: Results): string {
  const succeeded = results.filter((result) => result.status === 'succeeded');
  const pages = results.reduce((sum, result) => sum + (result.pages ?? 0), 0);
  const records = results.reduce((sum, result) => sum + (result.records ?? 0), 0);
  return [
    `${sourceId} backfill: ${succeeded.length} of ${results.length} chunks succeeded, ${pages} pages, ${records} records`,
    ...results
      .filter((result) => result.status === 'failed')
      .map((result) => `  failed ${result.windowKey}: ${result.error ?? 'no error recorded'}`),
  ].join('\n');
}

/** `1 queued, 2 already known (read by a backfill that succeeded, queued or running)` */
function queuedCounts(accepted: BackfillAccepted): string {
  const why = accepted.known === 0 ? '' : ' (read by a backfill that succeeded, queued or running)';
  return `${accepted.queued} queued, ${accepted.known} already known${why}`;
}
