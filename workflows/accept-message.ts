import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeRejection } from '../contracts/source-messages.ts';
import { MessageRefused } from './source-machine.ts';

interface Message<Schema extends z.ZodType, Result> {
  update: UpdateDefinition<Result, [z.input<Schema>]> | UpdateDefinition<Result, [z.input<Schema>?]>;
  signal: SignalDefinition<[z.input<Schema>]> | SignalDefinition<[z.input<Schema>?]>;
  schema: Schema;
  /** Rules that depend on the workflow's state; throws MessageRefused. */
  check?: (request: z.output<Schema>) => void;
  apply: (request: z.output<Schema>) => Result;
}

export interface MessageHooks {
  /** A refused signal cannot answer: it is listed where operators look. */
  refusedSignal(name: string, reason: string): void;
  /** After a message changed the state: show it where operators look. */
  published(): void;
}

/**
 * Handles an operator message as an Update and as a Signal of the same name, both checked by one
 * schema and the state's rules. The Update's validator refuses before anything reaches history.
 */
export function acceptMessage<Schema extends z.ZodType, Result>(
  message: Message<Schema, Result>,
  hooks: MessageHooks,
): void {
  const accepted = (raw: unknown): z.output<Schema> => {
    const parsed = message.schema.safeParse(raw);
    if (!parsed.success) throw new MessageRefused(describeRejection(parsed.error));
    message.check?.(parsed.data);
    return parsed.data;
  };
  const refusal = (error: unknown) =>
    error instanceof MessageRefused
      ? ApplicationFailure.nonRetryable(error.message, 'MessageRefused')
      : error;
  const update = message.update as UpdateDefinition<Result, [unknown]>;
  setHandler(
    update,
    (raw) => {
      let result: Result;
      try {
        result = message.apply(accepted(raw));
      } catch (error) {
        throw refusal(error);
      }
      hooks.published();
      return result;
    },
    {
      validator: (raw) => {
        try {
          accepted(raw);
        } catch (error) {
          throw refusal(error);
        }
      },
    },
  );
  setHandler(message.signal as SignalDefinition<[unknown]>, (raw) => {
    let request: z.output<Schema>;
    try {
      request = accepted(raw);
    } catch (error) {
      if (!(error instanceof MessageRefused)) throw error;
      hooks.refusedSignal(message.signal.name, error.message);
      return;
    }
    message.apply(request);
    hooks.published();
  });
}
