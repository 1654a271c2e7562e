import { ContinueAsNew, isCancellation, metricMeter } from '@temporalio/workflow';
import { metricNames } from '../contracts/metrics.ts';

/**
 * The product's metrics recorded by workflows, through the SDK's workflow metric meter: it records
 * nothing while a workflow replays, and a metric is not a command, so history stays the same.
 */

type WindowOutcome = 'succeeded' | 'failed' | 'cancelled';

/**
 * Runs a window and records how it ended and how long it took since `startedAt` (kept across
 * continue-as-new, which is not an end).
 */
export async function measuredWindow<T>(
  window: { sourceId: string; kind: string; startedAt: string },
  run: () => Promise<T>,
): Promise<T> {
  const ended = (outcome: WindowOutcome) => {
    const meter = metricMeter.withTags({ source: window.sourceId, kind: window.kind, outcome });
    meter.createCounter(metricNames.windows).add(1);
    const seconds = Math.max(0, (Date.now() - Date.parse(window.startedAt)) / 1000);
    meter.createHistogram(metricNames.windowSeconds, 'float', 's').record(seconds);
  };
  try {
    const result = await run();
    ended('succeeded');
    return result;
  } catch (error) {
    if (!(error instanceof ContinueAsNew)) ended(isCancellation(error) ? 'cancelled' : 'failed');
    throw error;
  }
}

interface ObservedSource {
  source: { id: string };
  state: { watermark?: string | undefined };
  health(): string;
}

/**
 * Follows a source workflow's state: counts the circuit breaker's pauses (a move into `broken`)
 * and sets the lag gauge, now minus the watermark, and the watermark's own gauge. Call it whenever
 * the state may have changed.
 */
export function sourceMetricsObserver(machine: ObservedSource): () => void {
  // A run continued from a broken one starts broken: that pause was counted by the run before.
  let health = machine.health();
  return () => {
    const meter = metricMeter.withTags({ source: machine.source.id });
    const now = machine.health();
    if (now === 'broken' && health !== 'broken') meter.createCounter(metricNames.breakerPauses).add(1);
    health = now;
    const watermark = Date.parse(machine.state.watermark ?? '');
    if (!Number.isNaN(watermark)) {
      const lag = Math.max(0, (Date.now() - watermark) / 1000);
      meter.createGauge(metricNames.lagSeconds, 'float', 's').set(lag);
      meter.createGauge(metricNames.watermarkTimestamp, 'float', 's').set(watermark / 1000);
    }
  };
}
