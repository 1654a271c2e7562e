import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failures with their message and stack trace moved into a payload, which the codec encrypts:
 * an error message often names the API's URL, a cursor or a record value. History then shows
 * "Encoded failure"; every SDK client (and the codec server) restores the message.
 * Loaded by path (Temporal's `failureConverterPath`) into the workflow bundle as well, so this
 * module imports only what a workflow may.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
