// The sample API in a process of its own (see sample-api-process.ts): started with its options as
// JSON in argv, it sends its URL once listening and answers `log` messages with its request log.
import { type SampleApiOptions, startSampleApi } from '../../scripts/sample-api/server.ts';

const api = await startSampleApi(JSON.parse(process.argv[2] ?? '{}') as SampleApiOptions);
process.on('message', (message: { id: number; ask: 'log' }) => {
  if (message.ask === 'log') process.send?.({ id: message.id, log: api.stats.log });
});
process.on('disconnect', () => {
  void api.close().finally(() => process.exit(0));
});
process.send?.({ url: api.url });
