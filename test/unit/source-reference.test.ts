import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatProblems, parseSourceFile } from '../../config/load-sources.ts';
import { sourceJsonSchema } from '../../config/source-json-schema.ts';
import { paginationExamples } from '../../scripts/source-reference/examples.ts';
import { SOURCE_REFERENCE_FILE, sourceReferenceText } from '../../scripts/source-reference/reference-text.ts';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const committed = await readFile(repo(SOURCE_REFERENCE_FILE), 'utf8');

/** Each fenced ```yaml block of the Markdown, with the heading above it (for messages). */
function yamlBlocks(markdown: string): Array<{ heading: string; yaml: string }> {
  const blocks: Array<{ heading: string; yaml: string }> = [];
  let heading = '';
  for (const match of markdown.matchAll(/^(#{1,6} .*)$|^```yaml\n([\s\S]*?)^```$/gm)) {
    if (match[1] !== undefined) heading = match[1];
    else blocks.push({ heading, yaml: match[2] ?? '' });
  }
  return blocks;
}

/** The rows of every field table: `| field | type | default | description |`. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

describe('the source format reference (docs/source-format.md)', () => {
  it('is committed as generated from config/source.ts (run "npm run schema" when this fails)', () => {
    expect(committed, `${SOURCE_REFERENCE_FILE} is stale: run "npm run schema" and commit it`).toBe(
      sourceReferenceText(),
    );
  });

  it('has examples that are whole sources the loader and the JSON Schema accept', () => {
    const blocks = yamlBlocks(committed);
    // one per pagination style (6) and auth type (5), and the six cookbook entries
    expect(blocks.length).toBeGreaterThanOrEqual(17);
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(
      sourceJsonSchema(),
    );
    for (const { heading, yaml } of blocks) {
      const parsed = parseSourceFile(`${heading}.yaml`, yaml);
      expect(formatProblems(parsed.problems), heading).toBe('');
      expect(parsed.sources.length, heading).toBe(1);
      expect(validate(parse(yaml)), `${heading}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('shows each pagination style with an example of that style', () => {
    for (const [type, yaml] of Object.entries(paginationExamples)) {
      const [source] = parseSourceFile(`${type}.yaml`, yaml).sources;
      expect(source?.pagination.type).toBe(type);
      expect(committed).toContain(`### \`pagination.type: ${type}\`\n`);
    }
  });

  it('has a type and a description for every field (add .describe() in config/source.ts when this fails)', () => {
    const rows = tableRows(committed);
    expect(rows.length).toBeGreaterThan(60);
    for (const [field, type, , description] of rows) {
      expect(type, field).not.toBe('');
      expect(description, `${field} has no description`).not.toBe('');
    }
  });

  it('carries the defaults users rely on: 30 s request timeout, 10 attempts and 600 s without progress', () => {
    const rowOf = (field: string) => tableRows(committed).find((row) => row[0] === `\`${field}\``);
    expect(rowOf('timeoutMs')?.[2]).toBe('`30000`');
    expect(rowOf('maxAttemptsWithoutProgress')?.[2]).toBe('`10`');
    expect(rowOf('maxNoProgressSeconds')?.[2]).toBe('`600`');
  });
});
