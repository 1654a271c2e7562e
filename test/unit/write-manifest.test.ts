import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { manifestKey, pageKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { writeManifest } from '../../activities/storage/write-manifest.ts';
import { memoryPageStore } from '../support/memory-page-store.ts';

const prefix = windowPrefix('raw', 'tickets', 'w1');
const stamp = { run: 'r', token: 'null', next: 'null', records: 1 };

async function manifestOf(pages: number, written: number[]) {
  const { store, objects } = memoryPageStore();
  for (const pageNo of written) await store.putPage(pageKey(prefix, pageNo), Buffer.from('x'), stamp);
  const input = {
    sourceId: 'tickets',
    windowKey: 'w1',
    kind: 'full' as const,
    totals: { pages, records: pages, bytes: pages },
    startedAt: '2026-01-01T00:00:00.000Z',
  };
  await new MockActivityEnvironment().run(writeManifest, { store, rawPrefix: 'raw' }, input);
  const body = objects.get(manifestKey(prefix))!.body;
  return JSON.parse(new TextDecoder().decode(body)) as { objects: Array<{ key: string }>; pages: number };
}

describe('writeManifest', () => {
  it("lists exactly this run's pages 1..N, not a longer earlier run's page beyond them", async () => {
    const manifest = await manifestOf(3, [1, 2, 3, 4]);
    expect(manifest.objects.map((object) => object.key)).toEqual([1, 2, 3].map((n) => pageKey(prefix, n)));
    expect(manifest.pages).toBe(3);
  });

  it('refuses to commit a window whose last page is not there', async () => {
    await expect(manifestOf(3, [1, 2])).rejects.toThrow(
      /window w1 of source tickets should have 3 pages under s3:\/\/memory\/raw\/source=tickets\/window=w1\/ but page 3 is missing; re-run the window/,
    );
  });
});
