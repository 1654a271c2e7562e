import { workflowInfo } from '@temporalio/workflow';

/** Whether this run should hand its state to a fresh one: Temporal suggests it, or history reached `eventLimit`. */
export function rollOverDue(eventLimit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= eventLimit;
}
