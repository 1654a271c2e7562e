import { codecServerFromEnv } from '../../codec/run-codec-server.ts';

/**
 * `tributary codec-server`: decodes (and encodes) payloads for the Temporal Web UI and
 * `temporal workflow show --codec-endpoint`, with the worker's KMS settings, until SIGINT/SIGTERM.
 */
export async function codecServerCommand(): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const { server, settings } = await codecServerFromEnv(process.env, say);
  say(`codec server: ${server.url} (POST /encode, /decode)`);
  say(
    `  temporal workflow show --codec-endpoint ${server.url} --codec-auth "Bearer $TRIBUTARY_CODEC_SERVER_TOKEN" ...`,
  );
  say(`  Web UI (cannot send the token as a header): --ui-codec-endpoint ${server.url}/<token>`);
  say(`  CORS origins: ${settings.TRIBUTARY_CODEC_SERVER_CORS_ORIGINS.join(', ') || '(none)'}`);
  say(
    settings.TRIBUTARY_KMS_KEY_ID === undefined
      ? '  TRIBUTARY_KMS_KEY_ID is not set: decodes encrypted payloads, encodes none'
      : `  encodes under ${settings.TRIBUTARY_KMS_KEY_ID}`,
  );
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await server.close();
  return 0;
}
