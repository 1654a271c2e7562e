import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const entries = Object.entries(lock.packages);
const runtime = entries.filter(([, entry]) => !entry.dev);

/**
 * The worker image runs `npm ci --omit=dev` from this lock on linux x64 or arm64 (node:24-slim is
 * glibc). npm picks a platform's optional packages from the lock, so the lock must hold each of them.
 */
describe('the committed lock, for the worker image on linux x64 and arm64', () => {
  it('requires no runtime package limited to one platform', () => {
    const limited = runtime
      .filter(([, entry]) => (entry.os || entry.cpu) && !entry.optional)
      .map(([name]) => name);
    expect(limited).toEqual([]);
  });

  it('holds the linux x64 and arm64 (glibc) build of every runtime package shipped per platform', () => {
    const perPlatform = runtime.filter(([, entry]) =>
      Object.keys(entry.optionalDependencies ?? {}).some((name) =>
        lock.packages[`node_modules/${name}`]?.os?.includes('linux'),
      ),
    );
    expect(perPlatform.map(([name]) => name)).toContain('node_modules/@swc/core');
    for (const [name, entry] of perPlatform) {
      for (const cpu of ['x64', 'arm64']) {
        const builds = Object.keys(entry.optionalDependencies ?? {})
          .map((dependency) => lock.packages[`node_modules/${dependency}`])
          .filter(
            (build) =>
              build?.os?.includes('linux') &&
              build.cpu?.includes(cpu) &&
              (build.libc === undefined || build.libc.includes('glibc')),
          );
        expect(builds.length, `${name} for linux ${cpu}`).toBe(1);
        expect(builds[0]?.integrity, `${name} for linux ${cpu}`).toMatch(/^sha512-/);
      }
    }
  });

  it('ships the Temporal core bridge for both (one package, a native library per platform inside)', () => {
    const releases = new URL('../../node_modules/@temporalio/core-bridge/releases/', import.meta.url);
    for (const target of ['x86_64-unknown-linux-gnu', 'aarch64-unknown-linux-gnu'])
      expect(existsSync(new URL(`${target}/index.node`, releases)), target).toBe(true);
  });
});
