export { ingestWindow } from './ingest-window.ts';
export { pipeline } from './pipeline.ts';
export { sourceWorkflow } from './source-workflow.ts';
export { triggerSync } from './trigger-sync.ts';
