import { curatedDatabase } from '../../contracts/curated-tables.ts';
import type { TransformRunRequest } from './transform-runner.ts';

/**
 * The job arguments of a run, as Glue passes them to the script (`--name value`). The window's own
 * arguments come first: the ones tributary sets cannot be overridden by a definition.
 */
export function jobArguments(request: TransformRunRequest): Record<string, string> {
  const list = (pick: (window: TransformRunRequest['windows'][number]) => string) =>
    request.windows.map(pick).join(',');
  return {
    ...request.arguments,
    '--source': list((window) => window.sourceId),
    '--window': list((window) => window.windowKey),
    '--manifest_key': list((window) => window.manifestKey),
    '--bucket': request.bucket,
    '--raw_prefix': request.rawPrefix,
    '--curated_target': request.curatedTarget,
    '--database': curatedDatabase(request.curatedTarget),
    '--mode': request.mode,
    '--ingestion_date': request.ingestionDate,
    '--inputs': JSON.stringify(
      request.windows.map((window) => ({
        source: window.sourceId,
        window: window.windowKey,
        manifest_key: window.manifestKey,
        primary_key: window.primaryKey,
        ...(window.cursorField === undefined ? {} : { cursor_field: window.cursorField }),
      })),
    ),
  };
}
