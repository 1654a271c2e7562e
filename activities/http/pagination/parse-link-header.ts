/** One link of an RFC 8288 `Link` header: its target and its parameters (names lowercased). */
export interface Link {
  target: string;
  params: Record<string, string>;
}

/**
 * Parses `<url>; rel="next"; title="a, b", <url2>; rel=last`. Commas inside `<...>` or quoted
 * strings do not split links, which a naive `split(',')` gets wrong. Malformed parts are skipped.
 */
export function parseLinkHeader(header: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < header.length && chars.includes(header[i]!)) i++;
  };
  while (i < header.length) {
    skip(' \t,');
    if (header[i] !== '<') {
      const comma = header.indexOf(',', i);
      if (comma === -1) break;
      i = comma + 1;
      continue;
    }
    const close = header.indexOf('>', i);
    if (close === -1) break;
    const link: Link = { target: header.slice(i + 1, close).trim(), params: {} };
    i = close + 1;
    for (;;) {
      skip(' \t');
      if (header[i] !== ';') break;
      i++;
      skip(' \t');
      const nameMatch = /^[^=;,\s]+/.exec(header.slice(i));
      if (nameMatch === null) continue;
      const name = nameMatch[0].toLowerCase();
      i += nameMatch[0].length;
      skip(' \t');
      let value = '';
      if (header[i] === '=') {
        i++;
        skip(' \t');
        [value, i] = header[i] === '"' ? readQuoted(header, i) : readToken(header, i);
      }
      if (!(name in link.params)) link.params[name] = value;
    }
    links.push(link);
  }
  return links;
}

function readQuoted(header: string, start: number): [string, number] {
  let value = '';
  let i = start + 1;
  while (i < header.length && header[i] !== '"') {
    if (header[i] === '\\') i++;
    value += header[i] ?? '';
    i++;
  }
  return [value, i + 1];
}

function readToken(header: string, start: number): [string, number] {
  const match = /^[^;,\s]*/.exec(header.slice(start));
  const token = match?.[0] ?? '';
  return [token, start + token.length];
}

/** The target of the first link whose `rel` (a space-separated list) contains `rel`. */
export function findLink(links: Link[], rel: string): string | undefined {
  const wanted = rel.toLowerCase();
  return links.find((link) => (link.params.rel ?? '').toLowerCase().split(/\s+/).includes(wanted))?.target;
}
