import { writeFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

/**
 * Saves a workflow's history as binary protobuf, for test/fixtures/histories/ (the replay test
 * checks that today's workflow code replays what earlier code wrote):
 *
 *   npm exec -- node scripts/save-history.ts source/orders test/fixtures/histories/<name>.history.pb
 *
 * Binary, because this SDK install's JSON history reader trips over two protobufjs copies.
 */
const [workflowId, file] = process.argv.slice(2);
if (!workflowId || !file) {
  process.stderr.write('usage: node scripts/save-history.ts <workflowId> <file>\n');
  process.exit(2);
}
const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
await writeFile(file, proto.temporal.api.history.v1.History.encode(history).finish());
process.stdout.write(`${history.events?.length ?? 0} events of ${workflowId} -> ${file}\n`);
await connection.close();
