import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

/**
 * Installs one-line JSON logging for the worker process: every SDK, workflow and activity log
 * entry becomes a line with its level, message and metadata (source id and window included by
 * the activities). Secrets are never passed to a logger, so none can appear here.
 */
export function installJsonLogging(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
) {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const { sdkComponent: _component, ...meta } = entry.meta ?? {};
      write(
        `${JSON.stringify({
          time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
          level: entry.level.toLowerCase(),
          message: entry.message,
          ...meta,
        })}\n`,
      );
    }),
  });
}
