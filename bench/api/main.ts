import { startBenchApi } from './server.ts';

/** Child-process entry: `node bench/api/main.ts '<options JSON>'`; prints `ready <url>`. */
const api = await startBenchApi(JSON.parse(process.argv[2] ?? '{}'));
process.stdout.write(`ready ${api.url}\n`);
