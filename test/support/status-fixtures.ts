import type { SourceStatus } from '../../contracts/source-status.ts';

/** The moment the status fixtures are read at. */
export const statusNow = new Date('2026-11-23T04:15:00Z');

/** `tickets`, idle: its last window succeeded three minutes before `statusNow`. */
export const idleTickets: SourceStatus = {
  sourceId: 'tickets',
  paused: false,
  watermark: '2026-11-23T03:00:00.000Z',
  inFlight: [],
  queue: [],
  lastResults: [
    {
      windowKey: 'incremental-20261123T040000Z-7',
      kind: 'incremental',
      status: 'succeeded',
      finishedAt: '2026-11-23T04:12:00Z',
      pages: 20,
      records: 2000,
    },
  ],
  skippedTicks: 0,
  consecutiveFailures: 0,
  rejectedSignals: [],
};
