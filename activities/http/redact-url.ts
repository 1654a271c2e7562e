/** Query parameters whose values are treated as credentials wherever they appear. */
const SENSITIVE_PARAM =
  /^(api[-_]?key|apikey|key|token|access[-_]?token|auth|authorization|client[-_]?secret|password|passwd|secret|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token)$/i;

/**
 * The URL with credentials removed, safe for messages, logs and workflow history: userinfo is
 * dropped and the values of `extraParams` (e.g. the source's api-key query parameter) and of
 * well-known credential parameters are replaced by `REDACTED`.
 */
export function redactUrl(url: string | URL, extraParams: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  parsed.username = '';
  parsed.password = '';
  const extra = new Set(extraParams.map((name) => name.toLowerCase()));
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SENSITIVE_PARAM.test(name) || extra.has(name.toLowerCase()))
      parsed.searchParams.set(name, 'REDACTED');
  }
  return parsed.href;
}

/** Replaces every URL inside a free text (an error message) by its redacted form. */
export function redactUrlsInText(text: string, extraParams: readonly string[] = []): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/g, (url) => redactUrl(url, extraParams));
}
