import { parseArgs } from 'node:util';
import { startSampleApi } from './server.ts';

/**
 * `node scripts/sample-api/main.ts --port 8787 --records 2500 [--page-size 25] [--latency-ms 0]`;
 * with SAMPLE_API_BEARER set, data routes require that bearer token.
 */
async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      records: { type: 'string', default: '250' },
      'page-size': { type: 'string', default: '25' },
      'latency-ms': { type: 'string', default: '0' },
    },
  });
  const api = await startSampleApi({
    port: Number(values.port),
    host: values.host,
    records: Number(values.records),
    pageSize: Number(values['page-size']),
    latencyMs: Number(values['latency-ms']),
    ...(process.env.SAMPLE_API_BEARER ? { auth: { bearer: process.env.SAMPLE_API_BEARER } } : {}),
  });
  console.log(`sample API listening on ${api.url} (${api.dataset.length} records)`);
  console.log('routes: /cursor /has-more /next-url /link /offset /pages /search (POST) /single');
  const stop = () => {
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
