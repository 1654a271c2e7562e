import { startNullS3 } from './null-s3.ts';

/** Child-process entry: `node bench/sink/main.ts`; prints `ready <endpoint>`. */
const sink = await startNullS3();
process.stdout.write(`ready ${sink.endpoint}\n`);
