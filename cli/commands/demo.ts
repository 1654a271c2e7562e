import { randomUUID } from 'node:crypto';
import { manifestKey, pageKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { loadValidSources } from '../../config/load-sources.ts';
import type { Source } from '../../config/source.ts';
import { readSettings, storageSettingsSchema } from '../../config/worker-settings.ts';
import { sourceWorkflowId, syncUpdate } from '../../contracts/source-messages.ts';
import type { WindowResult } from '../../contracts/source-status.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { stackEnv } from '../../scripts/stack/env.ts';
import { startStack } from '../../scripts/stack/stack.ts';
import { sampleApiSecret } from '../../scripts/stack/stack-services.ts';
import { showCurated } from '../demo-curated.ts';
import { reportDemoProgress } from '../demo-progress.ts';
import { formatWindowResult } from '../format-window-result.ts';
import { sendUpdate } from '../send-update.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { colorWanted } from '../status/ansi.ts';
import { connectClient } from '../temporal-client.ts';
import { waitForResult } from '../wait-for-result.ts';
import type { ClientContext } from '../with-client.ts';

/**
 * `tributary demo`: the main job on the local stack. Starts the stack with its background worker
 * and sample API (the example sources call it), all kept running afterwards so the next steps it
 * prints work; ingests every example source and prints what landed where.
 */
export async function demoCommand(): Promise<number> {
  const say = (line: string) =>
    process.stdout.write(`${line}
`);
  const { state } = await startStack({
    log: (message) => process.stderr.write(`${message}\n`),
    services: true,
  });
  Object.assign(process.env, stackEnv(state));
  const settings = readSettings(storageSettingsSchema);
  say(`local stack: Temporal ${state.temporal.address}, AWS stand-in ${state.moto.endpoint}`);
  say(`sample API: ${state.sampleApi!.url}; worker: pid ${state.worker!.pid} (log ${state.worker!.logFile})`);
  say(`secret: the API token is in Secrets Manager as "${sampleApiSecret}" (sources name it, never hold it)`);

  const sourcesPath = defaultSourcesPath();
  const sources = await loadValidSources(sourcesPath);
  const context = await connectClient();
  let failed = 0;
  try {
    say(`syncing ${sources.length} sources from ${sourcesPath}/ through their workflows (source/<id>) ...\n`);
    // A child source is not synced: it reads its parent's window, under the same key, once that succeeds.
    const results = new Map<string, Promise<WindowResult>>();
    const finished = new Set<string>();
    const startedAt = performance.now();
    const resultOf = (source: Source): Promise<WindowResult> => {
      let result = results.get(source.id);
      if (result === undefined) {
        const parent = sources.find((s) => s.id === source.parent?.source);
        result =
          parent === undefined
            ? syncAndWait(context, source)
            : resultOf(parent).then((parentResult) => childWindow(context, source, parentResult));
        results.set(source.id, result);
        result.then(
          (r) => {
            finished.add(source.id);
            const seconds = ((performance.now() - startedAt) / 1000).toFixed(0);
            say(
              `  ${source.id}: ${r.status}, ${r.pages ?? 0} pages, ${r.records ?? 0} records (${seconds}s)`,
            );
          },
          () => finished.add(source.id),
        );
      }
      return result;
    };
    // Live progress for people; a log or a pipe gets only the line per finished window.
    const stopProgress = new AbortController();
    const progress = process.stdout.isTTY
      ? reportDemoProgress(
          context,
          {
            pending: () => sources.map((s) => s.id).filter((id) => !finished.has(id)),
            say,
            color: colorWanted(process.stdout),
          },
          stopProgress.signal,
        )
      : Promise.resolve();
    const runs = await Promise.allSettled(sources.map(resultOf));
    stopProgress.abort();
    await progress;
    say('');
    let total = 0;
    for (const [index, run] of runs.entries()) {
      const sourceId = sources[index]!.id;
      if (run.status === 'rejected' || run.value.status === 'failed') {
        failed++;
        const reason = run.status === 'rejected' ? String(run.reason) : run.value.error;
        say(`${sourceId}: FAILED ${reason}\n`);
        continue;
      }
      const result = run.value;
      total += result.records ?? 0;
      const prefix = windowPrefix(settings.TRIBUTARY_RAW_PREFIX, sourceId, result.windowKey);
      say(formatWindowResult(sourceId, result));
      say(`  manifest   s3://${settings.TRIBUTARY_BUCKET}/${manifestKey(prefix)}`);
      const firstPage = sources[index]!.parent
        ? `${prefix}/parent=*/page-000001.jsonl.gz`
        : pageKey(prefix, 1);
      say(`  first page s3://${settings.TRIBUTARY_BUCKET}/${firstPage}`);
      say(
        `  workflow   ${state.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(sourceWorkflowId(sourceId))}\n`,
      );
    }
    say(
      `${total} records from ${runs.length - failed} sources landed in s3://${settings.TRIBUTARY_BUCKET}/${settings.TRIBUTARY_RAW_PREFIX}/`,
    );
    say('');
    const windows = runs.map((run) => (run.status === 'fulfilled' ? run.value : undefined));
    if (!(await showCurated(say, sources, windows))) failed++;
    say(`Temporal UI: ${state.temporal.uiUrl}/namespaces/default/workflows`);
    say('');
    say('Run it again and each source continues from its watermark.');
    say('The stack, its worker and the sample API keep running. Next steps:');
    for (const line of nextSteps(sources)) say(`  ${line}`);
  } finally {
    await context.connection.close();
  }
  return failed === 0 ? 0 : 1;
}

/** Commands that work as printed while the stack runs (the demo test runs each of them). */
function nextSteps(sources: Source[]): string[] {
  const first = sources.find((source) => !source.parent)?.id ?? 'tickets';
  return [
    'npm run tributary -- status',
    `npm run tributary -- sync ${first} --wait`,
    'eval "$(npm run -s tributary -- dev env)"    # the environment for npm run worker and the AWS CLI',
    'npm run stack:down    # keeps workflows, objects and secrets; npm run stack:up brings all of it back',
  ];
}

/** What `tributary sync --wait` does: update-with-start the source's workflow, wait for its window. */
async function syncAndWait(context: ClientContext, source: Source): Promise<WindowResult> {
  const requestId = randomUUID();
  const { accepted } = await sendUpdate(context, source, syncUpdate, [{ requestId, source }]);
  if (accepted.window === undefined) throw new Error(`the sync was not queued (${accepted.outcome})`);
  return waitForResult(context, {
    sourceId: source.id,
    window: accepted.window,
    kind: source.incremental ? 'incremental' : 'full',
    ...(accepted.outcome === 'queued' ? { requestId } : {}),
    onPaused: (reason) =>
      process.stderr.write(
        `${source.id} is paused (${reason}): "npm run tributary -- resume ${source.id}" lets it run\n`,
      ),
  });
}

/** The child source's window for its parent's window: started by the parent's workflow. */
async function childWindow(
  context: ClientContext,
  child: Source,
  parent: WindowResult,
): Promise<WindowResult> {
  if (parent.status !== 'succeeded') throw new Error(`its parent ${child.parent?.source} failed`);
  return waitForResult(context, {
    sourceId: child.id,
    window: { windowKey: parent.windowKey, workflowId: windowWorkflowId(child.id, parent.windowKey) },
    kind: parent.kind,
    sourceMayStartLater: true,
  });
}
