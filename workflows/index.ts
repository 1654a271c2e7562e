export { ingestWindow, progressQuery } from './ingest-window.ts';
export { triggerSync } from './trigger-sync.ts';
