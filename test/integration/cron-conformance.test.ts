import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cronProblem } from '../../config/cron.ts';

const stack = inject('stack');

/** Cron strings on both sides of every rule config/cron.ts copies from the server. */
const CASES = [
  '0 5 * * *',
  '*/15 * * * *',
  '0 12 * * MON-WED,FRI',
  '0 0 1 janu,jul *',
  '0 0 * * su',
  '0 0 * * 7',
  '0 0 * * 8',
  '60 * * * *',
  '0 24 * * *',
  '0 0 0 * *',
  '0 0 * 13 *',
  '0 0 * feb-jan *',
  '5-1 * * * *',
  '1-5/2 * * * *',
  '3/5 * * * *',
  '*/0 * * * *',
  '1/2/3 * * * *',
  '1-2-3 * * * *',
  '? * * * *',
  '0 0 L * *',
  '0 0 * * m',
  '0 0 1 ja *',
  'not a cron',
  '* * * *',
  '* * * * * * * *',
  '*/30 * * * * *',
  '0 0 * * * 1999',
  '0 0 0 * * * 2030',
  '@daily',
  '@midnight',
  '@annually',
  '@reboot',
  '@every 90m',
  '@every 1.5h',
  '@every 1d/6h',
  '@every 0s',
  '@every 500ms',
  '@every 1x',
  '@every',
  'TZ=Europe/Paris 0 6 * * *',
  'CRON_TZ=America/New_York @daily',
  'TZ=Nowhere/Land 0 6 * * *',
  'TZ=UTC',
  '0 6 * * * # morning',
];

describe('schedule.cron validation against the Temporal server', () => {
  let connection: Connection;
  let client: Client;
  const prefix = `cron-conformance-${randomUUID().slice(0, 6)}`;
  const created: string[] = [];

  beforeAll(async () => {
    connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection });
  });
  afterAll(async () => {
    for (const id of created) await client.schedule.getHandle(id).delete();
    await connection?.close();
  });

  /** Whether the server creates a schedule with this cron expression. */
  async function serverAccepts(cron: string, index: number): Promise<boolean> {
    const scheduleId = `${prefix}-${index}`;
    try {
      await client.schedule.create({
        scheduleId,
        spec: { cronExpressions: [cron] },
        action: { type: 'startWorkflow', workflowType: 'none', taskQueue: prefix, args: [] },
        state: { paused: true },
      });
    } catch {
      return false;
    }
    created.push(scheduleId);
    return true;
  }

  it('accepts exactly the cron strings the server accepts', async () => {
    const verdicts = [];
    for (const [index, cron] of CASES.entries()) {
      verdicts.push({
        cron,
        server: await serverAccepts(cron, index),
        ours: cronProblem(cron) === undefined,
      });
    }
    expect(verdicts.filter((v) => v.server !== v.ours)).toEqual([]);
    // Both verdicts occur, so agreement is not one side accepting everything.
    expect(new Set(verdicts.map((v) => v.server))).toEqual(new Set([true, false]));
  });

  it('refuses the one form the server reads as something else: "1#2" is a comment there, not the 2nd Monday', async () => {
    expect(await serverAccepts('0 0 * * 1#2', CASES.length)).toBe(true);
    expect(cronProblem('0 0 * * 1#2')).toMatch(/"#" starts a comment in Temporal/);
  });
});
