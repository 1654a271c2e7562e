import type { Fault } from './faults.ts';
import { seededRandom } from './seeded-random.ts';

/**
 * The fault-rate mode: each matching request independently fails with the given probabilities
 * (one draw per request from a seeded generator, so a run can be repeated). Set `api.faultRates`
 * at any time; `undefined` turns it off. Listed faults (`api.faults`) take precedence.
 */
export interface FaultRates {
  /** Path to affect, e.g. "/cursor", or "*" for every route. */
  route: string;
  seed: number;
  /** Probability of a 500 with a JSON error body. */
  serverError?: number;
  /** Probability of a 429 with a Retry-After header. */
  rateLimited?: number;
  /** Retry-After of those 429s in seconds (default 1). */
  retryAfterSeconds?: number;
  /** How Retry-After is written: "2" or an HTTP-date two seconds ahead (default seconds). */
  retryAfterForm?: 'seconds' | 'http-date';
  /** Probability of a request that is never answered: the socket closes after `hangMs`. */
  hang?: number;
  /** How long a hang lasts (default 35 s, past a 30 s client timeout). */
  hangMs?: number;
  /** Probability of a body cut short of its announced length. */
  truncated?: number;
  /** Probability of a 200 whose body is an HTML error page. */
  html?: number;
  /**
   * Probability of a 200 whose JSON body reports an error and looks like a last page
   * (`{ error, data: [], next_cursor: "" }`): a client that trusts it stops early.
   */
  errorBody?: number;
}

/** Draws whether this request fails, and how; undefined lets it through. */
export function createFaultDraw(rates: FaultRates): (route: string) => Fault | undefined {
  const random = seededRandom(rates.seed);
  return (route) => {
    if (rates.route !== route && rates.route !== '*') return undefined;
    let draw = random();
    const pick = (probability: number | undefined) => {
      draw -= probability ?? 0;
      return draw < 0;
    };
    if (pick(rates.serverError)) return { route, status: 500 };
    if (pick(rates.rateLimited)) return { route, status: 429, retryAfter: retryAfter(rates) };
    if (pick(rates.hang)) return { route, delayMs: rates.hangMs ?? 35_000, reset: true };
    if (pick(rates.truncated)) return { route, truncated: true };
    if (pick(rates.html)) return { route, html: true };
    if (pick(rates.errorBody))
      return {
        route,
        status: 200,
        body: { error: 'internal_error: try again later', data: [], next_cursor: '' },
      };
    return undefined;
  };
}

function retryAfter(rates: FaultRates): string {
  const seconds = rates.retryAfterSeconds ?? 1;
  if (rates.retryAfterForm === 'http-date') return new Date(Date.now() + seconds * 1000).toUTCString();
  return String(seconds);
}
