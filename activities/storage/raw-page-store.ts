import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { quarantineTag } from '../../contracts/quarantine-tag.ts';
import { gzipText } from './jsonl.ts';
import { tracedPut } from './put-span.ts';
import { pageNumberOf } from './raw-keys.ts';

/**
 * What a page object says about itself, in its S3 metadata. It lets a resumed activity prove that
 * a page was written by this window's chain from a given token, and pick up the token after it.
 */
export interface PageStamp {
  run: string;
  token: string;
  next: string;
  records: number;
  maxCursor?: string;
  /** Pages the object holds, when more than one (`raw.pagesPerObject`): the next object starts after them. */
  pages?: number;
}

// S3 allows 2 KB of user metadata; past that a page keeps only its run, records and pages (it is not adoptable).
const STAMP_LIMIT = 1800;

export interface StoredPage {
  key: string;
  pageNo: number;
  bytes: number;
}

export function createRawPageStore(s3: S3Client, bucket: string) {
  /** Every ListObjectsV2 answer under a prefix, continuation followed. */
  async function* listings(prefix: string, delimiter?: string) {
    let continuationToken: string | undefined;
    do {
      const listing = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${prefix}/`,
          ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
          ContinuationToken: continuationToken,
        }),
      );
      yield listing;
      continuationToken = listing.IsTruncated ? listing.NextContinuationToken : undefined;
    } while (continuationToken);
  }
  const listObjects = async (prefix: string): Promise<Array<{ key: string; bytes: number }>> => {
    const objects: Array<{ key: string; bytes: number }> = [];
    for await (const listing of listings(prefix)) {
      for (const object of listing.Contents ?? []) {
        if (object.Key) objects.push({ key: object.Key, bytes: object.Size ?? 0 });
      }
    }
    return objects;
  };

  /** The object's HEAD, or undefined when there is none. */
  const head = async (key: string) => {
    try {
      return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
  };

  const putPage = async (key: string, body: Buffer, stamp: PageStamp): Promise<void> => {
    const metadata = encodeStamp(stamp);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/x-ndjson',
        ContentEncoding: 'gzip',
        Metadata: metadata,
        // The raw bucket's lifecycle expires quarantine objects sooner than pages (infra/cdk/data-stack.ts).
        ...(stamp.run === 'quarantine' ? { Tagging: `${quarantineTag.key}=${quarantineTag.value}` } : {}),
      }),
    );
  };

  return {
    bucket,

    putPage,

    /**
     * Gzips JSON Lines text and writes it as a page; resolves to the page's size. The worker
     * process uses threaded-page-writer.ts's instead, which sends the PutObject from an upload thread.
     */
    writeLines: (key: string, lines: string, stamp: PageStamp): Promise<number> =>
      tracedPut(bucket, key, async () => {
        const body = await gzipText(lines);
        await putPage(key, body, stamp);
        return body.length;
      }),

    /** Whether an object exists at the key. */
    async exists(key: string): Promise<boolean> {
      return (await head(key)) !== undefined;
    },

    /** The stamp and size of a written page, or undefined when the page does not exist or carries none. */
    async readStamp(key: string): Promise<(PageStamp & { bytes: number }) | undefined> {
      const object = await head(key);
      const stamp = object && decodeStamp(object.Metadata ?? {});
      return stamp && { ...stamp, bytes: object?.ContentLength ?? 0 };
    },

    /**
     * Page objects under a window prefix, in page order; a child source's pages (under
     * `parent=<key>/` folders) folder by folder, in page order within each.
     */
    async listPages(prefix: string): Promise<StoredPage[]> {
      const pages: StoredPage[] = [];
      for (const object of await listObjects(prefix)) {
        const pageNo = pageNumberOf(object.key);
        if (pageNo !== undefined) pages.push({ ...object, pageNo });
      }
      const folder = (key: string) => key.slice(0, key.lastIndexOf('/'));
      return pages.sort((a, b) =>
        folder(a.key) === folder(b.key) ? a.pageNo - b.pageNo : folder(a.key) < folder(b.key) ? -1 : 1,
      );
    },

    /** Deletes every object under a prefix (a child window's pages before it is read again). */
    async deletePrefix(prefix: string): Promise<number> {
      const keys = (await listObjects(prefix)).map((object) => object.key);
      for (let at = 0; at < keys.length; at += 1000) {
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.slice(at, at + 1000).map((Key) => ({ Key })), Quiet: true },
          }),
        );
      }
      return keys.length;
    },

    /** The parsed JSON object at a key, or undefined when there is none. */
    async getJson(key: string): Promise<unknown> {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return JSON.parse((await object.Body?.transformToString()) ?? 'null');
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },

    /** The folders right under a prefix, e.g. the `window=<key>` folders of a source. */
    async listFolders(prefix: string): Promise<string[]> {
      const folders: string[] = [];
      for await (const listing of listings(prefix, '/')) {
        for (const common of listing.CommonPrefixes ?? []) {
          if (common.Prefix) folders.push(common.Prefix.replace(/\/$/, ''));
        }
      }
      return folders;
    },

    async putJson(key: string, value: unknown): Promise<void> {
      const body = `${JSON.stringify(value, null, 2)}\n`;
      await tracedPut(bucket, key, async () => {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
        );
        return Buffer.byteLength(body);
      });
    },

    async getBytes(key: string): Promise<Uint8Array> {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return object.Body.transformToByteArray();
    },
  };
}

export type RawPageStore = ReturnType<typeof createRawPageStore>;

function encodeStamp(stamp: PageStamp): Record<string, string> {
  const metadata: Record<string, string> = {
    run: stamp.run,
    token: encodeURIComponent(stamp.token),
    next: encodeURIComponent(stamp.next),
    records: String(stamp.records),
    ...(stamp.maxCursor === undefined ? {} : { 'max-cursor': encodeURIComponent(stamp.maxCursor) }),
    ...(stamp.pages === undefined || stamp.pages === 1 ? {} : { pages: String(stamp.pages) }),
  };
  const size = Object.entries(metadata).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (size <= STAMP_LIMIT) return metadata;
  return {
    run: stamp.run,
    token: '',
    next: '',
    records: String(stamp.records),
    ...(metadata.pages === undefined ? {} : { pages: metadata.pages }),
  };
}

function decodeStamp(metadata: Record<string, string>): PageStamp | undefined {
  const { run, token, next, records } = metadata;
  if (run === undefined || token === undefined || next === undefined || records === undefined)
    return undefined;
  const maxCursor = metadata['max-cursor'];
  const pages = metadata.pages;
  return {
    run,
    token: decodeURIComponent(token),
    next: decodeURIComponent(next),
    records: Number(records),
    ...(maxCursor === undefined ? {} : { maxCursor: decodeURIComponent(maxCursor) }),
    ...(pages === undefined ? {} : { pages: Number(pages) }),
  };
}
