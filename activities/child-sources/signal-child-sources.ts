import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { signalSource } from '../../client/send-to-source.ts';
import { describeSkipped, loadSources } from '../../config/load-sources.ts';
import { type ParentWindowRequest, parentWindowSignal } from '../../contracts/source-messages.ts';

export interface SignalChildrenDeps {
  client?: Client;
  /** The worker's source files (TRIBUTARY_SOURCES); `sources` by default. */
  sourcesPath?: string;
  taskQueue?: string;
}

export interface SignalChildrenInput {
  /** The parent source whose window just succeeded. */
  sourceId: string;
  window: Omit<ParentWindowRequest, 'source'>;
}

/**
 * After a parent source's window succeeds: finds the sources in the worker's sources folder whose
 * `parent.source` is that source, and sends each a `parentWindow` signal (starting its workflow
 * when it is not running), so the child reads the same window's parent records. A worker without
 * a sources folder has no children to tell.
 */
export async function signalChildren(
  deps: SignalChildrenDeps,
  input: SignalChildrenInput,
): Promise<{ children: string[] }> {
  const context = Context.current();
  const folder = deps.sourcesPath ?? 'sources';
  const loaded = await loadSources(folder).catch(() => undefined);
  // An invalid file blocks only its own sources; a child in one is not told, and the log says why.
  const skipped = loaded === undefined ? undefined : describeSkipped(loaded.rejected);
  if (skipped !== undefined) {
    context.log.warn(`${skipped}: a child of ${input.sourceId} in it is not signalled until it is fixed`, {
      sourceId: input.sourceId,
      windowKey: input.window.windowKey,
    });
  }
  const children = (loaded?.sources ?? []).filter((source) => source.parent?.source === input.sourceId);
  if (children.length === 0) return { children: [] };
  if (!deps.client) {
    throw new Error('this worker was built without a Temporal client, so it cannot signal child sources');
  }
  for (const child of children) {
    await signalSource(deps.client, {
      source: child,
      taskQueue: deps.taskQueue ?? context.info.taskQueue,
      signal: parentWindowSignal,
      args: [{ ...input.window, source: child }],
    });
  }
  context.log.info('child sources signalled', {
    sourceId: input.sourceId,
    windowKey: input.window.windowKey,
    children: children.map((child) => child.id),
  });
  return { children: children.map((child) => child.id) };
}
