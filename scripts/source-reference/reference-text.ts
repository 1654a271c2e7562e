import { sourceJsonSchema } from '../../config/source-json-schema.ts';
import { authExamples, cookbook, paginationExamples } from './examples.ts';
import {
  exactlyOneOf,
  type FieldRow,
  fieldRows,
  isSecretReference,
  type JsonSchema,
  SECRET_REFERENCE_ANCHOR,
} from './field-rows.ts';

/**
 * docs/source-format.md: every field of a source with its type, default and description, read
 * from the JSON Schema that is generated from config/source.ts, with the examples of examples.ts.
 * `npm run schema` writes it; a unit test fails when the committed file is stale.
 */
export const SOURCE_REFERENCE_FILE = 'docs/source-format.md';

/** Rules across fields that the field tables do not show. */
const sectionNotes: Record<string, string> = {
  request:
    'A `body`, and any value sent `in: body` (pagination or incremental), needs `method: POST`. `{name}` placeholders in `path`, `query` and `body` are filled from the fields of a [`parent`](#parent) record.',
  parent:
    'A child source takes no `schedule`: its parent is scheduled, and each of its successful windows is read.',
  checks:
    'Each check has exactly one of `path` (with exactly one of `equals`, `present: true` or `absent: true`), `minRecords` or `contentType`, e.g. `{ path: ok, equals: true }`, `{ path: error, absent: true }`, `{ minRecords: 10 }`, `{ contentType: json }`.',
};

const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('<', '&lt;');

function table(rows: FieldRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    '| field | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => {
      const shown = row.default === '' || row.default === 'required' ? row.default : `\`${row.default}\``;
      return `| \`${row.name}\` | ${row.type} | ${shown} | ${escapeCell(row.description)} |`;
    }),
    '',
  ];
}

const yamlBlock = (yaml: string) => ['```yaml', yaml.trimEnd(), '```', ''];

function paragraph(text: string | undefined): string[] {
  return text === undefined || text === '' ? [] : [`${escapeCell(text)}.`.replace(/\.\.$/, '.'), ''];
}

function exactlyOneNote(node: JsonSchema): string[] {
  const names = exactlyOneOf(node);
  return names === undefined
    ? []
    : [`Set exactly one of ${names.map((name) => `\`${name}\``).join(' or ')}.`, ''];
}

/** Whether a section is required, optional, or what it defaults to. */
function presence(name: string, node: JsonSchema, source: JsonSchema): string[] {
  if ('default' in node) return [`Default: \`${JSON.stringify(node.default)}\`.`, ''];
  return [source.required?.includes(name) ? 'Required.' : 'Optional.', ''];
}

/** A section whose value is one of several objects told apart by `type` (auth, pagination). */
function variantsSection(name: string, node: JsonSchema, examples: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const variant of node.oneOf ?? []) {
    const type = String(variant.properties?.type?.const);
    lines.push(`### \`${name}.type: ${type}\``, '');
    lines.push(...paragraph(variant.description), ...exactlyOneNote(variant));
    lines.push(...table(fieldRows(variant, '', ['type'])));
    const example = examples[type];
    if (example !== undefined) lines.push(...yamlBlock(example));
  }
  return lines;
}

function section(name: string, node: JsonSchema, source: JsonSchema): string[] {
  const lines = [`## \`${name}\``, '', ...paragraph(node.description), ...presence(name, node, source)];
  if (name === 'auth') lines.push(...variantsSection(name, node, authExamples));
  else if (name === 'pagination') lines.push(...variantsSection(name, node, paginationExamples));
  else {
    const fields = node.items ?? node;
    lines.push(...exactlyOneNote(fields), ...table(fieldRows(fields, node.items === undefined ? '' : '[].')));
  }
  const note = sectionNotes[name];
  if (note !== undefined) lines.push(note, '');
  return lines;
}

/** The first secret reference in the schema: they are all the same. */
function findSecretReference(node: unknown): JsonSchema | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  if (isSecretReference(node as JsonSchema)) return node as JsonSchema;
  for (const child of Object.values(node)) {
    const found = findSecretReference(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function secretReferenceSection(source: JsonSchema): string[] {
  const reference = findSecretReference(source);
  if (reference === undefined) return [];
  return [
    `## Secret references`,
    '',
    'Where a secret value comes from: `{ secret: prod/tickets-api }` (AWS Secrets Manager, by name or ARN), `{ secret: prod/tickets-api, key: token }` (a field of a JSON secret) or `{ env: TICKETS_TOKEN }` (an environment variable of the worker, for local use). Values are read only inside activities and never reach workflow history, logs, errors or S3.',
    '',
    ...exactlyOneNote(reference),
    ...table(fieldRows(reference)),
  ];
}

const hasSection = (node: JsonSchema) =>
  node.properties !== undefined || node.oneOf !== undefined || node.items?.properties !== undefined;

/** The reference's Markdown text. */
export function sourceReferenceText(): string {
  const source = (sourceJsonSchema().definitions as Record<string, JsonSchema>).source as JsonSchema;
  const properties = Object.entries(source.properties ?? {});
  const sections = properties.filter(([, node]) => hasSection(node));
  const topLevel = {
    ...source,
    properties: Object.fromEntries(properties.filter(([, node]) => !hasSection(node))),
  };
  const anchor = (name: string) => `[\`${name}\`](#${name.toLowerCase()})`;
  const lines = [
    '# Source format reference',
    '',
    '<!-- Generated from config/source.ts by "npm run schema": edit the schema, not this file. -->',
    '',
    'A source file (YAML, in `sources/`) holds one source, or `sources:` with a list of them. Every field below comes from the zod schema in `config/source.ts`, the one source of truth; editors check files against `config/source.schema.json`, and `npm run tributary -- sources validate` checks everything it does and more. Every example here is a whole source that validates.',
    '',
    `Sections: ${sections.map(([name]) => anchor(name)).join(', ')}; [secret references](${SECRET_REFERENCE_ANCHOR}); [cookbook](#cookbook).`,
    '',
    '## Top-level fields',
    '',
    ...table(fieldRows(topLevel)),
    ...sections.flatMap(([name, node]) => section(name, node, source)),
    ...secretReferenceSection(source),
    '## Cookbook',
    '',
    'Sources for common API shapes. Ids, hosts and secret names are placeholders to replace.',
    '',
    ...cookbook.flatMap((entry) => [
      `### ${entry.title}`,
      '',
      entry.explanation,
      '',
      ...yamlBlock(entry.yaml),
    ]),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
