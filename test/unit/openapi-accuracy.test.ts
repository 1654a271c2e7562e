import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findListEndpoints, type ListEndpoint } from '../../cli/openapi/list-endpoints.ts';
import { loadOpenApi } from '../../cli/openapi/load-openapi.ts';
import type { OpenApiDocument } from '../../cli/openapi/openapi-types.ts';
import { renderSourceYaml } from '../../cli/openapi/render-source-yaml.ts';
import { type Scaffold, scaffoldSource, sourceIdFor } from '../../cli/openapi/scaffold-source.ts';

/**
 * How well `sources init --from-openapi` guesses, measured on trimmed real OpenAPI descriptions
 * against answers read from each spec's own documentation (test/fixtures/openapi/expected-scaffolds.json).
 * Each field scores right (1), partly (0.5) or wrong (0); fields an endpoint does not have are not
 * scored. The table is printed; the total must not fall below the measured floor.
 */

/** The total measured when the guesses were last improved (out of the scored fields below). */
const ACCURACY_FLOOR = 134;

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/openapi/${name}`, import.meta.url));

type Expected = {
  pathParams?: string[];
  requiredQuery?: Record<string, string | number | null>;
  headers?: Record<string, string>;
  auth: { type: string; in?: string; name?: string; format?: string };
  pagination: Array<Record<string, unknown> & { type: string; query?: Record<string, unknown> }>;
  records: string;
  primaryKey: string | null;
  incremental: { param: string; cursorField: string[]; format?: string } | null;
  why?: Record<string, string>;
};
/** heldOut: added after the guesses were improved, and scored without changing them for it. */
type Fixture = { file: string; heldOut?: boolean; note?: string; endpoints: Record<string, Expected> };

const FIELDS = [
  'pathParams',
  'requiredQuery',
  'headers',
  'auth',
  'pagination',
  'records',
  'primaryKey',
  'incremental',
] as const;
type Field = (typeof FIELDS)[number];
type Score = 'right' | 'partly' | 'wrong';
const POINTS: Record<Score, number> = { right: 1, partly: 0.5, wrong: 0 };

const expected: { fixtures: Fixture[] } = JSON.parse(
  readFileSync(fixturePath('expected-scaffolds.json'), 'utf8'),
);

async function scaffoldsOf(
  file: string,
): Promise<{ document: OpenApiDocument; scaffolds: Map<string, Scaffold> }> {
  const document = await loadOpenApi(fixturePath(file));
  const scaffolds = new Map<string, Scaffold>();
  for (const endpoint of findListEndpoints(document)) {
    scaffolds.set(endpoint.path, scaffoldSource(document, endpoint, { id: sourceIdFor(endpoint.path) }));
  }
  return { document, scaffolds };
}

function textOf(scaffold: Scaffold): string {
  return renderSourceYaml(scaffold, {
    schemaPath: 'source.schema.json',
    specFile: 'spec',
    sourcesPath: 'out',
  });
}

/** Each path and query parameter's examples that are not also its documented default, maximum or only value. */
function examplesOf(endpoint: ListEndpoint): Array<{ name: string; in: string; examples: string[] }> {
  return endpoint.parameters
    .filter((parameter) => parameter.in === 'path' || parameter.in === 'query')
    .map((parameter) => {
      const { schema } = parameter;
      const documented = [
        schema?.default,
        schema?.maximum,
        ...(schema?.enum?.length === 1 ? schema.enum : []),
      ];
      const given = [
        parameter.example,
        schema?.example,
        ...Object.values(parameter.examples ?? {}).map((example) => example?.value),
      ];
      const examples = given
        .filter((example) => !documented.includes(example))
        .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
        .map(String);
      return { name: parameter.name, in: parameter.in, examples };
    })
    .filter((parameter) => parameter.examples.length > 0);
}

function applies(field: Field, want: Expected): Score | undefined {
  const optional = { pathParams: want.pathParams, requiredQuery: want.requiredQuery, headers: want.headers };
  return field in optional && optional[field as keyof typeof optional] === undefined ? undefined : 'wrong';
}

function score(field: Field, want: Expected, scaffold: Scaffold): Score | undefined {
  const { source } = scaffold;
  const query = (source.request.query ?? {}) as Record<string, unknown>;
  switch (field) {
    case 'pathParams': {
      if (want.pathParams === undefined) return undefined;
      const kept = want.pathParams.filter((name) => source.request.path?.includes(`{${name}}`));
      const todos = textOf(scaffold)
        .split('\n')
        .filter((line) => line.startsWith('# TODO'));
      const told = want.pathParams.filter((name) => todos.some((line) => line.includes(`{${name}}`)));
      if (kept.length === want.pathParams.length && told.length === want.pathParams.length) return 'right';
      return 'wrong';
    }
    case 'requiredQuery': {
      if (want.requiredQuery === undefined) return undefined;
      const entries = Object.entries(want.requiredQuery);
      const good = entries.filter(([name, value]) =>
        value === null ? query[name] === `{${name}}` : query[name] === value,
      );
      return good.length === entries.length ? 'right' : good.length > 0 ? 'partly' : 'wrong';
    }
    case 'headers': {
      if (want.headers === undefined) return undefined;
      const headers = source.request.headers ?? {};
      const entries = Object.entries(want.headers);
      const good = entries.filter(([name, value]) => headers[name] === value);
      return good.length === entries.length ? 'right' : good.length > 0 ? 'partly' : 'wrong';
    }
    case 'auth': {
      const auth = source.auth as Record<string, unknown> | undefined;
      if (auth?.type !== want.auth.type) return 'wrong';
      const placed =
        (want.auth.in === undefined || auth.in === want.auth.in) &&
        (want.auth.name === undefined || auth.name === want.auth.name);
      if (!placed) return 'partly';
      if (want.auth.format !== undefined && !textOf(scaffold).includes(want.auth.format)) return 'partly';
      return 'right';
    }
    case 'pagination': {
      const pagination = source.pagination as Record<string, unknown> | undefined;
      const matches = (alternative: Expected['pagination'][number]) => {
        const { query: wantQuery, ...keys } = alternative;
        return (
          Object.entries(keys).every(([key, value]) => pagination?.[key] === value) &&
          Object.entries(wantQuery ?? {}).every(([key, value]) => query[key] === value)
        );
      };
      if (want.pagination.some(matches)) return 'right';
      return want.pagination.some((alternative) => alternative.type === pagination?.type)
        ? 'partly'
        : 'wrong';
    }
    case 'records':
      return source.records?.path === want.records ? 'right' : 'wrong';
    case 'primaryKey':
      return (source.records?.primaryKey ?? null) === want.primaryKey ? 'right' : 'wrong';
    case 'incremental': {
      const incremental = source.incremental;
      if (want.incremental === null) return incremental === undefined ? 'right' : 'wrong';
      if (incremental === undefined || incremental.param !== want.incremental.param) return 'wrong';
      const fieldRight = want.incremental.cursorField.includes(incremental.cursorField);
      const formatRight =
        want.incremental.format === undefined ||
        (incremental.format ?? 'iso8601') === want.incremental.format;
      return fieldRight && formatRight ? 'right' : 'partly';
    }
  }
}

describe('OpenAPI scaffold accuracy on real public descriptions', () => {
  it('scores every expected field and does not fall below the measured floor', async () => {
    const rows: string[] = [];
    const totals: Record<Field, Record<Score, number>> = Object.fromEntries(
      FIELDS.map((field) => [field, { right: 0, partly: 0, wrong: 0 }]),
    ) as Record<Field, Record<Score, number>>;
    let points = 0;
    let scored = 0;
    const heldOut = { points: 0, scored: 0 };
    for (const fixture of expected.fixtures) {
      const { scaffolds } = await scaffoldsOf(fixture.file);
      for (const [path, want] of Object.entries(fixture.endpoints)) {
        // An endpoint not recognised as a list gets no source: every field it has scores wrong.
        const scaffold = scaffolds.get(path);
        const cells = FIELDS.map((field) => {
          const result = scaffold === undefined ? applies(field, want) : score(field, want, scaffold);
          if (result === undefined) return '-';
          totals[field][result] += 1;
          points += POINTS[result];
          scored += 1;
          if (fixture.heldOut) {
            heldOut.points += POINTS[result];
            heldOut.scored += 1;
          }
          return result;
        });
        const name = `${fixture.file.replace(/\.\w+$/, '')} \`${path}\`${scaffold === undefined ? ' (not found as a list)' : ''}`;
        rows.push(`| ${name} | ${cells.join(' | ')} |`);
      }
    }
    const header = `| endpoint | ${FIELDS.join(' | ')} |\n|${' --- |'.repeat(FIELDS.length + 1)}`;
    const summary = FIELDS.map(
      (field) => `${totals[field].right}/${totals[field].partly}/${totals[field].wrong}`,
    );
    const table = [header, ...rows, `| right/partly/wrong | ${summary.join(' | ')} |`].join('\n');
    process.stdout.write(
      `\n${table}\n\nscore ${points} of ${scored} (right 1, partly 0.5); held-out fixtures alone ${heldOut.points} of ${heldOut.scored}\n`,
    );
    expect(points).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
  });

  it('never writes a spec example value into a path or a query', async () => {
    let checked = 0;
    for (const fixture of expected.fixtures) {
      const { scaffolds } = await scaffoldsOf(fixture.file);
      for (const scaffold of scaffolds.values()) {
        const where = `${fixture.file} ${scaffold.endpoint.path}`;
        const segments = (scaffold.source.request.path ?? '').split('/');
        const query = scaffold.source.request.query ?? {};
        for (const parameter of examplesOf(scaffold.endpoint)) {
          checked += 1;
          if (parameter.in === 'path') {
            expect(segments, where).toContain(`{${parameter.name}}`);
            for (const example of parameter.examples) expect(segments, where).not.toContain(example);
          } else {
            expect(parameter.examples, `${where} ?${parameter.name}`).not.toContain(
              String(query[parameter.name]),
            );
          }
        }
      }
    }
    // Asana, Okta and Box document examples for ids in paths and queries: the check is not vacuous.
    expect(checked).toBeGreaterThan(20);
  });
});
