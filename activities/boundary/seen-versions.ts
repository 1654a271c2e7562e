import type { RawPageStore } from '../storage/raw-page-store.ts';
import { readBoundary } from './boundary-file.ts';

const KEPT = 8;
const cache = new Map<string, Promise<Set<string>>>();

/**
 * The record versions a previous window already landed, read once per boundary object and worker
 * process (every batch of a window asks for the same one).
 */
export function seenVersions(store: RawPageStore, key: string): Promise<Set<string>> {
  const where = `${store.bucket}/${key}`;
  const cached = cache.get(where);
  if (cached) return cached;
  const loading = readBoundary(store, key).then((file) => new Set(file.versions.map(([id]) => id)));
  loading.catch(() => cache.delete(where));
  cache.set(where, loading);
  while (cache.size > KEPT) cache.delete(cache.keys().next().value as string);
  return loading;
}
