import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/free-port.ts';
import { spawnLogged, stopProcess, waitUntilReady } from '../../scripts/stack/processes.ts';
import {
  ensureSearchAttributes,
  searchAttributes,
  temporalAnswers,
} from '../../scripts/stack/temporal-dev-server.ts';
import { temporalCliPath } from '../../scripts/stack/tools.ts';

// A stack kept from an earlier version runs a dev server whose database lacks the attributes added
// since: `--search-attribute` registers them only in a new database, and the demo's sources failed
// every workflow task with BadSearchAttributes until stack:up registered them.
it('registers the search attributes a dev server does not know yet, and nothing twice', async () => {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const logFile = path.join(tmpdir(), `tributary-old-temporal-${port}.log`);
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)];
  // Only the attribute the first version had.
  const child = spawnLogged(temporalCliPath(), [...args, '--search-attribute', 'SourceId=Keyword'], {
    logFile,
    detached: false,
  });
  try {
    await waitUntilReady(() => temporalAnswers(address), {
      what: 'Temporal dev server',
      timeoutMs: 60_000,
      logFile,
      child,
    });
    const added = await ensureSearchAttributes(address);
    expect(added.sort()).toEqual(
      Object.keys(searchAttributes)
        .filter((name) => name !== 'SourceId')
        .sort(),
    );
    expect(await ensureSearchAttributes(address)).toEqual([]);
  } finally {
    await stopProcess(child.pid!);
  }
});
