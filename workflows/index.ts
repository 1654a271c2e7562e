export { ingestWindow, progressQuery } from './ingest-window.ts';
