/**
 * What the API asked each client about waiting, and who did not: every `Retry-After` sent is
 * remembered as a deadline for that client, and a request arriving before it is counted as early.
 */
export interface RetryAfterLog {
  /** Responses that carried Retry-After. */
  asked: number;
  /** Requests that arrived before their client's deadline. */
  early: number;
  /** How far before the deadline the earliest of them arrived, in ms (0 when none). */
  mostEarlyMs: number;
  /** Remembers the deadline a response's Retry-After sets for `client`. */
  sent(client: string, retryAfter: string, now?: number): void;
  /** Checks an arriving request of `client` against its deadline. */
  arrived(client: string, now?: number): void;
  reset(): void;
}

export function createRetryAfterLog(): RetryAfterLog {
  const deadlines = new Map<string, number>();
  const log: RetryAfterLog = {
    asked: 0,
    early: 0,
    mostEarlyMs: 0,
    sent(client, retryAfter, now = Date.now()) {
      const deadline = /^\d+$/.test(retryAfter) ? now + Number(retryAfter) * 1000 : Date.parse(retryAfter);
      if (Number.isNaN(deadline)) return;
      log.asked++;
      deadlines.set(client, Math.max(deadlines.get(client) ?? 0, deadline));
    },
    arrived(client, now = Date.now()) {
      const deadline = deadlines.get(client);
      if (deadline === undefined || now >= deadline) return;
      log.early++;
      log.mostEarlyMs = Math.max(log.mostEarlyMs, deadline - now);
    },
    reset() {
      deadlines.clear();
      log.asked = 0;
      log.early = 0;
      log.mostEarlyMs = 0;
    },
  };
  return log;
}
