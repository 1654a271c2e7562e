import { gzipText } from '../../activities/storage/jsonl.ts';
import { pageNumberOf } from '../../activities/storage/raw-keys.ts';
import type { PageStamp, RawPageStore, StoredPage } from '../../activities/storage/raw-page-store.ts';

/**
 * A RawPageStore in memory, for running fetchPages without S3. `delayPut` lets a test make uploads
 * slow or finish out of order; `completed` lists page keys in the order their uploads finished.
 */
export function memoryPageStore(delayPut: (key: string) => Promise<void> = async () => {}) {
  const objects = new Map<string, { body: Uint8Array; stamp?: PageStamp }>();
  const completed: string[] = [];
  const store: RawPageStore = {
    bucket: 'memory',
    async putPage(key, body, stamp) {
      await delayPut(key);
      objects.set(key, { body, stamp });
      completed.push(key);
    },
    async writeLines(key, lines, stamp) {
      const body = await gzipText(lines);
      await store.putPage(key, body, stamp);
      return body.length;
    },
    async exists(key) {
      return objects.has(key);
    },
    async readStamp(key) {
      const object = objects.get(key);
      return object?.stamp && { ...object.stamp, bytes: object.body.byteLength };
    },
    async listPages(prefix) {
      const pages: StoredPage[] = [];
      for (const [key, object] of objects) {
        const pageNo = pageNumberOf(key);
        if (key.startsWith(`${prefix}/`) && pageNo !== undefined)
          pages.push({ key, pageNo, bytes: object.body.byteLength });
      }
      return pages.sort((a, b) => a.pageNo - b.pageNo);
    },
    async putJson(key, value) {
      objects.set(key, { body: new TextEncoder().encode(JSON.stringify(value)) });
    },
    async deletePrefix(prefix) {
      const keys = [...objects.keys()].filter((key) => key.startsWith(`${prefix}/`));
      for (const key of keys) objects.delete(key);
      return keys.length;
    },
    async getJson(key) {
      const object = objects.get(key);
      return object === undefined ? undefined : JSON.parse(new TextDecoder().decode(object.body));
    },
    async listFolders(prefix) {
      const folders = new Set<string>();
      for (const key of objects.keys()) {
        if (!key.startsWith(`${prefix}/`)) continue;
        const rest = key.slice(prefix.length + 1);
        if (rest.includes('/')) folders.add(`${prefix}/${rest.slice(0, rest.indexOf('/'))}`);
      }
      return [...folders].sort();
    },
    async getBytes(key) {
      const object = objects.get(key);
      if (object === undefined) throw Object.assign(new Error(`no object ${key}`), { name: 'NoSuchKey' });
      return object.body;
    },
  };
  return { store, objects, completed };
}
