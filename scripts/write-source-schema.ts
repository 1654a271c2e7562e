/** `npm run schema`: writes the files generated from the zod source schema in config/source.ts. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SOURCE_SCHEMA_FILE, sourceJsonSchemaText } from '../config/source-json-schema.ts';
import { SOURCE_REFERENCE_FILE, sourceReferenceText } from './source-reference/reference-text.ts';

const generated = [
  [SOURCE_SCHEMA_FILE, sourceJsonSchemaText()],
  [SOURCE_REFERENCE_FILE, sourceReferenceText()],
] as const;

for (const [file, text] of generated) {
  await writeFile(fileURLToPath(new URL(`../${file}`, import.meta.url)), text);
  process.stdout.write(`wrote ${file}\n`);
}
