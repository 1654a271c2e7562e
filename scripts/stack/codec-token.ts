import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file holding the stack's codec server token (readable by its owner only). */
export const codecServerTokenFile = (dataDir: string) => path.join(dataDir, 'codec-server.token');

/** The stack's codec server token: made once, kept in the data dir so the UI's endpoint survives restarts. */
export function codecServerToken(dataDir: string): string {
  const file = codecServerTokenFile(dataDir);
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return token;
  } catch {}
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
