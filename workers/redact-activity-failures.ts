import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { secretRedactor } from '../activities/secrets/secret-redaction.ts';

/**
 * The activity boundary: whatever an activity throws (an ApplicationFailure built from an HTTP
 * error, an SDK's TypeError quoting a header, a message echoing the API's error body) has every
 * resolved secret redacted from its message, stack, details and causes before the worker logs it
 * and sends it to Temporal, where it would reach the window's history, `lastError` and `status`.
 * The error keeps its class, type and retry flags.
 */
export const redactActivityFailures: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        throw secretRedactor.redactDeep(error);
      }
    },
  },
});
