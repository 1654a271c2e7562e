/** `npm run schema`: writes config/source.schema.json from the zod source schema. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SOURCE_SCHEMA_FILE, sourceJsonSchemaText } from '../config/source-json-schema.ts';

const target = fileURLToPath(new URL(`../${SOURCE_SCHEMA_FILE}`, import.meta.url));
await writeFile(target, sourceJsonSchemaText());
process.stdout.write(`wrote ${SOURCE_SCHEMA_FILE}\n`);
