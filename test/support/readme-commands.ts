import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const readme = fileURLToPath(new URL('../../README.md', import.meta.url));

/**
 * The shell commands in the README that start with `prefix`, backslash continuations joined and
 * split into arguments the way a POSIX shell would for these simple forms (single quotes only).
 */
export function readmeCommands(prefix: string): string[][] {
  const lines = readFileSync(readme, 'utf8')
    .replace(/\\\n\s*/g, '')
    .split('\n');
  return lines.filter((line) => line.startsWith(prefix)).map(splitShellWords);
}

function splitShellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2]!);
  return words;
}
