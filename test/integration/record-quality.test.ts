import { GetSchemaVersionCommand } from '@aws-sdk/client-glue';
import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { decodeJsonLines } from '../../activities/storage/jsonl.ts';
import { lineageOf } from '../../activities/storage/record-lineage.ts';
import { recordSchemaOf } from '../../config/record-schema.ts';
import { quarantineTag } from '../../contracts/quarantine-tag.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useTestWorker } from '../support/test-worker.ts';
import { glueClient } from '../support/transform-runners.ts';

const stack = inject('stack');
const worker = useTestWorker();

const windowPrefix = (sourceId: string, windowKey: string) =>
  `${worker.rawPrefix}/source=${sourceId}/window=${windowKey}`;

describe('record validation', () => {
  it('moves invalid records beside their page with the reasons, and counts them in manifest and status', async () => {
    const api = await startSampleApi({ records: 100, pageSize: 25 });
    try {
      const checked = cursorSource(api.url, {
        id: 'validated',
        records: {
          path: 'data',
          primaryKey: 'id',
          schema: {
            type: 'object',
            required: ['id', 'name'],
            properties: {
              id: { type: 'integer' },
              nested: { type: 'object', properties: { score: { type: 'integer', maximum: 90 } } },
            },
          },
        },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, checked);
      const result = await driver.resultOf(await driver.sync());
      const invalid = api.dataset.filter((record) => record.nested.score > 90);
      const valid = api.dataset.filter((record) => record.nested.score <= 90);
      expect(invalid.length).toBeGreaterThan(3);
      expect(result).toMatchObject({
        status: 'succeeded',
        pages: 4,
        records: valid.length,
        invalidRecords: invalid.length,
      });

      const prefix = windowPrefix('validated', result.windowKey);
      const { manifest, records, pages } = await readWindow(worker.store, `${prefix}/_manifest.json`);
      expect(idsOf(records)).toEqual(valid.map((record) => record.id));
      // The pages rewritten without their invalid records keep the lineage of the lines they kept.
      for (const [index, page] of pages.entries()) {
        for (const line of page.lines) {
          expect(lineageOf(line)).toMatchObject({ windowKey: result.windowKey, page: index + 1 });
        }
      }
      expect(manifest).toMatchObject({ records: valid.length, quality: { invalidRecords: invalid.length } });
      const quarantineKeys = (manifest as unknown as { quality: { quarantineKeys: string[] } }).quality
        .quarantineKeys;
      const quarantined = [];
      for (const key of quarantineKeys) {
        expect(key).toMatch(new RegExp(`^${prefix}/page-\\d{6}\\.quarantine\\.jsonl\\.gz$`));
        // Tagged, so the raw bucket's lifecycle rule for quarantine objects applies to it.
        const { TagSet } = await worker.s3.send(
          new GetObjectTaggingCommand({ Bucket: stack.bucket, Key: key }),
        );
        expect(TagSet).toEqual([{ Key: quarantineTag.key, Value: quarantineTag.value }]);
        quarantined.push(
          ...((await decodeJsonLines(await worker.store.getBytes(key))) as Array<Record<string, unknown>>),
        );
      }
      expect(quarantined.map((entry) => (entry.record as { id: number }).id)).toEqual(
        invalid.map((r) => r.id),
      );
      const first = invalid[0]!;
      expect(quarantined[0]).toEqual({
        page: Math.ceil(first.id / 25),
        index: (first.id - 1) % 25,
        reasons: ['/nested/score must be <= 90'],
        // The line as it was written, lineage included.
        record: {
          ...first,
          _tributary_window_key: result.windowKey,
          _tributary_extracted_at: expect.any(String),
          _tributary_page: Math.ceil(first.id / 25),
        },
      });
      // The manifest lists pages only, never the quarantine objects.
      expect(manifest.objects.every((object) => !object.key.includes('quarantine'))).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('fails the window with a clear message under onInvalid: fail (a zod schema, as a TypeScript source declares it)', async () => {
    const api = await startSampleApi({ records: 40, pageSize: 20 });
    try {
      const strict = cursorSource(api.url, {
        id: 'strict',
        records: {
          path: 'data',
          primaryKey: 'id',
          onInvalid: 'fail',
          schema: recordSchemaOf(z.object({ id: z.number().int(), name: z.string().startsWith('Ticket') })),
        },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, strict);
      const result = await driver.resultOf(await driver.sync());
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(
        /^40 records of window \S+ of source strict do not match records\.schema \(onInvalid: fail\); first: page 1, record 1: \/name must match pattern "\^Ticket\.\*"\. Fix the schema/,
      );
    } finally {
      await api.close();
    }
  });
});

describe('schema drift', () => {
  it('records a fingerprint per window, reports fields added, removed and retyped, and registers each shape once', async () => {
    const api = await startSampleApi({ records: 30, pageSize: 10 });
    try {
      const registry = `tributary-${worker.taskQueue}`;
      const drifting = cursorSource(api.url, {
        id: 'drifting',
        records: { path: 'data', primaryKey: 'id', schemaRegistry: { registry } },
      });
      const versionOf = async (windowKey: string) =>
        (
          (await readWindow(worker.store, `${windowPrefix('drifting', windowKey)}/_manifest.json`))
            .manifest as unknown as {
            quality: { schemaVersion: { versionNumber: number } };
          }
        ).quality.schemaVersion;
      const driver = sourceDriver(worker.client, worker.taskQueue, drifting);
      const first = await driver.resultOf(await driver.sync());
      expect(first.status).toBe('succeeded');
      expect(first.schemaDrift).toBeUndefined();
      const firstManifest = (
        await readWindow(worker.store, `${windowPrefix('drifting', first.windowKey)}/_manifest.json`)
      ).manifest as unknown as { schemaFields: string[]; quality: { schemaFingerprint: string } };
      expect(firstManifest.schemaFields).toContain('nested.owner.login: string');
      expect(firstManifest.quality.schemaFingerprint).toMatch(/^[0-9a-f]{16}$/);

      // The API changes shape: a new field, a dropped one, a retyped one.
      for (const record of api.dataset as unknown as Array<Record<string, unknown>>) {
        record.priority = 'high';
        delete record.tags;
        record.name = record.id;
      }
      const second = await driver.resultOf(await driver.sync());
      expect(second).toMatchObject({
        status: 'succeeded',
        schemaDrift: {
          previousWindowKey: first.windowKey,
          added: ['priority'],
          removed: ['tags', 'tags[]'],
          changed: [{ path: 'name', from: 'string', to: 'number' }],
        },
      });
      expect((await driver.status()).lastSchemaDrift).toEqual(second.schemaDrift);

      const third = await driver.resultOf(await driver.sync());
      expect(third.schemaDrift).toBeUndefined();

      // Each shape is one version in the Glue Schema Registry (moto): the unchanged third window adds none.
      expect(await versionOf(first.windowKey)).toMatchObject({
        registry,
        schemaName: 'drifting',
        versionNumber: 1,
      });
      expect(await versionOf(second.windowKey)).toMatchObject({ versionNumber: 2 });
      expect(await versionOf(third.windowKey)).toMatchObject({ versionNumber: 2 });
      const latest = await glueClient(stack).send(
        new GetSchemaVersionCommand({
          SchemaId: { RegistryName: registry, SchemaName: 'drifting' },
          SchemaVersionNumber: { LatestVersion: true },
        }),
      );
      expect(latest).toMatchObject({ DataFormat: 'JSON', VersionNumber: 2 });
      expect(JSON.parse(latest.SchemaDefinition!).properties).toMatchObject({
        priority: { type: 'string' },
        name: { type: 'number' },
        nested: { type: 'object', properties: { owner: { properties: { login: { type: 'string' } } } } },
      });
    } finally {
      await api.close();
    }
  });
});
