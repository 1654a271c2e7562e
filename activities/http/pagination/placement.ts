import type { OutgoingRequest } from './strategy.ts';

export type Placement = 'query' | 'body';

/** A copy of `request` with `name` set to `value` in the query string or as a top-level JSON body field. */
export function placeValue(
  request: OutgoingRequest,
  placement: Placement,
  name: string,
  value: string | number,
): OutgoingRequest {
  if (placement === 'body') {
    return { ...request, body: { ...request.body, [name]: value } };
  }
  const url = new URL(request.url);
  url.searchParams.set(name, String(value));
  return { ...request, url };
}
