import { TypedSearchAttributes } from '@temporalio/common';
import {
  allHandlersFinished,
  type ChildWorkflowHandle,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  type SignalDefinition,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { definitionInForce } from '../config/definition-in-force.ts';
import type { Source } from '../config/source.ts';
import { RATE_SHARE_MEMO, rateShareQuery } from '../contracts/rate-share.ts';
import {
  PauseReasonAttribute,
  SourceIdAttribute,
  SourceStateAttribute,
  WindowKindAttribute,
  WindowStateAttribute,
} from '../contracts/search-attributes.ts';
import {
  backfillRequestSchema,
  backfillSignal,
  backfillUpdate,
  describeRejection,
  parentWindowRequestSchema,
  parentWindowSignal,
  pauseRequestSchema,
  pauseSignal,
  pauseUpdate,
  resumeRequestSchema,
  resumeSignal,
  resumeUpdate,
  syncRequestSchema,
  syncSignal,
  syncUpdate,
} from '../contracts/source-messages.ts';
import { type QueuedWindow, statusQuery } from '../contracts/source-status.ts';
import {
  pauseWindowSignal,
  resumeWindowSignal,
  windowPausedSignal,
  windowProgressSignal,
} from '../contracts/window-messages.ts';
import { acceptMessage, type MessageHooks } from './accept-message.ts';
import { isAuthFailure, rootCause } from './failure-cause.ts';
import { ingestWindow } from './ingest-window.ts';
import { sourceMetricsObserver } from './metrics.ts';
import { patchesOfThisRun } from './patches.ts';
import { rollOverDue } from './roll-over-due.ts';
import { MessageRefused, SourceMachine, type SourceState, type WindowLaunch } from './source-machine.ts';
import { transformOutcomeOf } from './transform-window.ts';

export type { SourceState } from './source-machine.ts';

export interface SourceWorkflowInput {
  source: Source;
  carried?: SourceState;
  /** Continue as new once history holds this many events and no window is in flight. */
  historyEventLimit?: number;
}

const { signalChildren } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});
const DEFAULT_HISTORY_EVENT_LIMIT = 10_000;

/**
 * One long-lived workflow per source (`source/<sourceId>`). Its rules live in SourceMachine; this
 * file wires the operator messages (Updates and Signals), the window child workflows and
 * continue-as-new to it.
 */
export async function sourceWorkflow(input: SourceWorkflowInput): Promise<never> {
  const patches = patchesOfThisRun();
  const inForce = definitionInForce(input.source);
  if (inForce.problem !== undefined) {
    log.warn(
      'the definition carried by this workflow no longer matches the schema; the next sync or resume replaces it',
      {
        sourceId: input.source.id,
        problem: inForce.problem,
      },
    );
  }
  const machine = new SourceMachine(inForce.source, input.carried, () => new Date().toISOString());
  const windows = new Map<string, ChildWorkflowHandle<typeof ingestWindow>>();
  const historyEventLimit = input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const sourceId = () => machine.source.id;

  /** What the UI shows: the current details, and the SourceState and PauseReason search attributes. */
  let listedAs: string | undefined;
  const observeMetrics = sourceMetricsObserver(machine);
  /** The rate share table in the memo, as published last in this run (JSON), for windows to read. */
  let sharedAs: string | undefined;
  const publishRateShares = () => {
    const table = machine.rateShareHolders();
    const text = JSON.stringify(table);
    if (text === sharedAs || (sharedAs === undefined && table.holders.length === 0)) return;
    // Runs from before the memo replay without it; their windows ask with the rateShare query.
    if (!patches('rate-share-memo')) return;
    sharedAs = text;
    upsertMemo({ [RATE_SHARE_MEMO]: table });
  };
  const publish = () => {
    observeMetrics();
    publishRateShares();
    setCurrentDetails(machine.details(Date.now()));
    const health = machine.health();
    // Runs from before these attributes replay without upserting them.
    if (health === listedAs || !patches('source-state-search-attributes')) return;
    listedAs = health;
    upsertSearchAttributes([
      { key: SourceStateAttribute, value: health },
      { key: PauseReasonAttribute, value: machine.state.pausedReason ?? '' },
    ]);
  };

  const signalWindows = <Args extends unknown[]>(signal: SignalDefinition<Args>, ...args: Args) => {
    for (const [windowKey, handle] of windows) {
      handle.signal(signal, ...args).catch((error: unknown) => {
        log.warn('could not signal a window', { sourceId: sourceId(), windowKey, error: String(error) });
      });
    }
  };
  const pause = (reason: string) => {
    const accepted = machine.pause(reason);
    log.info('source paused', { sourceId: sourceId(), reason });
    signalWindows(pauseWindowSignal);
    return accepted;
  };
  const hooks: MessageHooks = {
    refusedSignal(signal, reason) {
      log.warn('signal rejected', { sourceId: sourceId(), signal, reason });
      machine.rejectSignal(signal, reason);
    },
    published: publish,
  };

  acceptMessage(
    {
      update: syncUpdate,
      signal: syncSignal,
      schema: syncRequestSchema,
      check: (request) => machine.checkSync(request),
      apply: (request) => machine.sync(request),
    },
    hooks,
  );
  acceptMessage(
    {
      update: pauseUpdate,
      signal: pauseSignal,
      schema: pauseRequestSchema,
      apply: (request) => pause(request?.reason ?? 'paused by an operator'),
    },
    hooks,
  );
  acceptMessage(
    {
      update: resumeUpdate,
      signal: resumeSignal,
      schema: resumeRequestSchema,
      check: (request) => machine.checkDefinition(request?.source),
      apply: (request) => {
        // Runs before this rule left a failed window to the next sync.
        const rerun =
          machine.state.rerunOnResume !== undefined && patches('breaker-resume-reruns-failed-window');
        const accepted = machine.resume(request?.source, rerun);
        log.info('source resumed', { sourceId: sourceId() });
        // Windows paused in flight continue with the definition in force now.
        signalWindows(resumeWindowSignal, { source: machine.source });
        return accepted;
      },
    },
    hooks,
  );
  acceptMessage(
    {
      update: backfillUpdate,
      signal: backfillSignal,
      schema: backfillRequestSchema,
      check: (request) => machine.checkBackfill(request),
      apply: (request) => machine.backfill(request),
    },
    hooks,
  );
  setHandler(parentWindowSignal, (raw) => {
    const parsed = parentWindowRequestSchema.safeParse(raw);
    if (!parsed.success) return hooks.refusedSignal('parentWindow', describeRejection(parsed.error));
    try {
      machine.checkParentWindow(parsed.data);
    } catch (error) {
      if (error instanceof MessageRefused) return hooks.refusedSignal('parentWindow', error.message);
      throw error;
    }
    machine.parentWindow(parsed.data);
    publish();
  });

  // A window whose API refused the credentials paused itself at its page; the source pauses too.
  setHandler(windowPausedSignal, (report) => {
    if (!machine.windowPaused(report.windowKey, report.error)) return;
    log.warn('window paused: the API refused the credentials', { sourceId: sourceId(), ...report });
    signalWindows(pauseWindowSignal);
    publish();
  });
  setHandler(windowProgressSignal, (progress) => {
    machine.windowProgress(progress);
    publishRateShares();
    setCurrentDetails(machine.details(Date.now()));
  });
  setHandler(statusQuery, () => machine.status(Date.now()));
  setHandler(rateShareQuery, (windowKey) => machine.rateShare(windowKey));

  /** Child sources (in the worker's sources folder) read each window of this one that succeeded. */
  const tellChildSources = async (window: QueuedWindow) => {
    // Source workflows started before child sources existed replay their windows without this step.
    if (!patches('signal-child-sources')) return;
    const { requestId: _requestId, ...told } = window;
    try {
      await signalChildren({ sourceId: sourceId(), window: told });
    } catch (error) {
      log.warn('could not signal child sources', {
        sourceId: sourceId(),
        windowKey: window.windowKey,
        error: rootCause(error).message,
      });
    }
  };

  const windowFailed = (window: QueuedWindow, error: unknown) => {
    const root = rootCause(error);
    const transform = transformOutcomeOf(root);
    const paused = machine.failed(window, {
      message: root.message,
      authFailure: isAuthFailure(error),
      ...(transform ? { transform } : {}),
    });
    log.warn('window failed', { sourceId: sourceId(), windowKey: window.windowKey, error: root.message });
    if (paused) signalWindows(pauseWindowSignal);
    publish();
  };

  const launch = async (launched: WindowLaunch) => {
    const { window } = launched;
    // In the same workflow task as the child's start: its first ask finds it among the holders.
    publishRateShares();
    let handle: ChildWorkflowHandle<typeof ingestWindow>;
    try {
      handle = await startChild(ingestWindow, {
        workflowId: launched.workflowId,
        args: [launched.input],
        staticSummary: windowSummary(sourceId(), window),
        typedSearchAttributes: new TypedSearchAttributes([
          { key: SourceIdAttribute, value: sourceId() },
          { key: WindowKindAttribute, value: window.kind },
          { key: WindowStateAttribute, value: 'running' },
        ]),
      });
    } catch (error) {
      windowFailed(window, error);
      return;
    }
    windows.set(window.windowKey, handle);
    publish();
    if (machine.state.paused) handle.signal(pauseWindowSignal).catch(() => undefined);
    handle.result().then(
      async (summary) => {
        machine.succeeded(window, summary);
        await tellChildSources(window);
        // Still counted as running until its child sources are told, as earlier runs did.
        machine.ended(window.windowKey);
        windows.delete(window.windowKey);
        publish();
      },
      (error: unknown) => {
        machine.ended(window.windowKey);
        windows.delete(window.windowKey);
        windowFailed(window, error);
      },
    );
  };

  publish();
  const due = () => rollOverDue(historyEventLimit);
  for (;;) {
    await condition(() => machine.nextStartable(due()) !== undefined || (due() && windows.size === 0));
    const window = machine.nextStartable(due());
    if (window) {
      await launch(machine.launch(window));
      continue;
    }
    // Nothing in flight (children would be cut off): hand the state to a fresh run.
    await condition(allHandlersFinished);
    await continueAsNew<typeof sourceWorkflow>({ ...input, source: machine.source, carried: machine.state });
  }
}

/** The window's one-line summary in the Temporal UI: source, kind and bounds. */
function windowSummary(sourceId: string, window: QueuedWindow): string {
  const from = window.since === undefined ? '' : ` from ${window.since}`;
  const to = window.until === undefined ? '' : ` to ${window.until}`;
  return `${sourceId}: ${window.kind} window${from}${to}`;
}
