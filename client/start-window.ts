import { type Client, WorkflowIdConflictPolicy } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Source } from '../config/source.ts';
import {
  SourceIdAttribute,
  WindowKindAttribute,
  WindowStateAttribute,
} from '../contracts/search-attributes.ts';
import type { WindowKind } from '../contracts/window.ts';
import { compactInstant } from '../contracts/window-keys.ts';
import { type IngestWindowInput, windowWorkflowId } from '../contracts/window-messages.ts';
import { ingestWindow } from '../workflows/ingest-window.ts';

export interface StartWindowOptions {
  source: Source;
  taskQueue: string;
  since?: string;
  /** The window's upper bound (exclusive); with `incremental.step` the window reads it in slices. */
  until?: string;
  /** Defaults to the kind and the moment of the request, e.g. `incremental-20261123T041500Z`. */
  windowKey?: string;
  historyEventLimit?: number;
}

/** Starts one ingestWindow run (or attaches to the one already running for that window). */
export async function startWindow(client: Client, options: StartWindowOptions) {
  const kind: WindowKind = options.since === undefined ? 'full' : 'incremental';
  const windowKey = options.windowKey ?? `${kind}-${compactInstant(new Date().toISOString())}`;
  const input: IngestWindowInput = {
    source: options.source,
    windowKey,
    kind,
    ...(options.since === undefined ? {} : { since: new Date(options.since).toISOString() }),
    ...(options.until === undefined ? {} : { until: new Date(options.until).toISOString() }),
    ...(options.historyEventLimit === undefined ? {} : { historyEventLimit: options.historyEventLimit }),
  };
  return client.workflow.start(ingestWindow, {
    workflowId: windowWorkflowId(options.source.id, windowKey),
    taskQueue: options.taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: SourceIdAttribute, value: options.source.id },
      { key: WindowKindAttribute, value: kind },
      { key: WindowStateAttribute, value: 'running' },
    ]),
  });
}
