import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from './errors.ts';

/**
 * Why the HTTP client would refuse `value` in a header, naming the kind of character and its
 * position (1-based, in `value`), never the value; undefined when it can be sent.
 * Fetch strips leading and trailing spaces, tabs and line breaks from a header value, so those are
 * allowed at the end of the value (a secret stored from a file with its final newline) and, with
 * `wholeValue` (the secret is the entire header, an api key), at its start; everything else must
 * be a tab or a visible Latin-1 character: no line break, no NUL, no other control character
 * (undici refuses them), nothing above U+00FF (not a byte string).
 */
export function headerValueProblem(value: string, wholeValue = false): string | undefined {
  const end = value.replace(/[\t\n\r ]+$/, '').length;
  const start = wholeValue ? value.length - value.replace(/^[\t\n\r ]+/, '').length : 0;
  for (let index = start; index < end; index++) {
    const problem = refusedCharacter(value.charCodeAt(index));
    if (problem !== undefined) return `it contains ${problem} (character ${index + 1})`;
  }
  return undefined;
}

/**
 * Why a basic-auth user-id or password cannot be used (RFC 7617 §2: neither may contain a control
 * character, and the user-id no colon); undefined when it can. Non-ASCII is fine: it is sent as UTF-8.
 */
export function basicCredentialProblem(value: string, isUserId: boolean): string | undefined {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    const problem =
      code < 0x20 || code === 0x7f
        ? describeControl(code)
        : isUserId && code === 0x3a
          ? 'a colon, which ends the user-id in basic auth'
          : undefined;
    if (problem !== undefined) return `it contains ${problem} (character ${index + 1})`;
  }
  return undefined;
}

/**
 * The non-retryable failure for a credential that cannot be sent: `field` names the auth field and
 * where its value comes from (`auth.token (secret 'prod/tickets')`), `problem` what is wrong with
 * it. No retry can fix it: the operator corrects the secret (or the source) and resumes.
 */
export function invalidCredentialFailure(
  sourceId: string,
  field: string,
  problem: string,
  remedy = 'correct the stored value (a stray line break or pasted text?) and resume the source',
): ApplicationFailure {
  return ApplicationFailure.create({
    message: `source '${sourceId}': ${field} cannot be sent in a request: ${problem}; ${remedy}. The value is not shown`,
    type: FailureType.invalidCredential,
    nonRetryable: true,
    details: [{ sourceId, field }],
  });
}

function refusedCharacter(code: number): string | undefined {
  if (isControl(code)) return describeControl(code);
  if (code > 0xff) return 'a character outside Latin-1 (a typographic quote, a non-ASCII letter?)';
  return undefined;
}

function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

function describeControl(code: number): string {
  if (code === 0x0a || code === 0x0d) return 'a line break';
  if (code === 0x00) return 'a NUL character';
  if (code === 0x09) return 'a tab';
  return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}
