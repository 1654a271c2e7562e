import { DefaultLogger, type LogLevel, Runtime, type TelemetryOptions } from '@temporalio/worker';
import { secretRedactor } from '../activities/secrets/secret-redaction.ts';

/**
 * Installs one-line JSON logging for the worker process: every SDK, workflow and activity log
 * entry becomes a line with its level, message and metadata (source id and window included by
 * the activities). Every line passes through the secret redactor (message and metadata, errors
 * included), so a secret that reached a message anyway is not written. `telemetryOptions` go to
 * the same runtime (it is installed once per process): the metrics endpoint.
 */
export function installJsonLogging(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
  telemetryOptions?: TelemetryOptions,
) {
  Runtime.install({
    ...(telemetryOptions === undefined ? {} : { telemetryOptions }),
    logger: new DefaultLogger(level, (entry) => {
      const { sdkComponent: _component, ...meta } = entry.meta ?? {};
      const line = JSON.stringify(
        {
          time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
          level: entry.level.toLowerCase(),
          message: entry.message,
          ...meta,
        },
        errorsWithMessages,
      );
      // The JSON-escaped form of every secret is registered too, so the serialized line is enough.
      write(`${secretRedactor.redact(line)}\n`);
    }),
  });
}

/** An error in the metadata (the SDK's "Activity failed") as its fields plus its name and message, not `{}`. */
function errorsWithMessages(_key: string, value: unknown): unknown {
  return value instanceof Error ? { ...value, name: value.name, message: value.message } : value;
}
