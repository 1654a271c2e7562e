import { stringify } from 'yaml';
import type { Scaffold, Section } from './scaffold-source.ts';

export interface RenderContext {
  /** The schema path relative to the written file, for the yaml-language-server comment. */
  schemaPath: string;
  specFile: string;
  /** The folder the file is written to, for the preview command in the header. */
  sourcesPath: string;
}

const SECTIONS: Section[] = ['request', 'auth', 'pagination', 'records', 'incremental'];

/** The source file's text: the source as YAML, each section under its "guess:" and "TODO:" comments. */
export function renderSourceYaml(scaffold: Scaffold, context: RenderContext): string {
  const { source } = scaffold;
  const lines = [
    `# yaml-language-server: $schema=${context.schemaPath}`,
    `# Scaffolded by "tributary sources init --from-openapi ${context.specFile}" from GET ${scaffold.endpoint.path}.`,
    '# "guess:" comments say what was inferred from the spec and from what; check each one, then run',
    `#   tributary sources preview ${scaffold.id} --sources ${context.sourcesPath}`,
    stringify({ id: source.id, description: source.description }, { lineWidth: 0 }).trimEnd(),
  ];
  for (const section of SECTIONS) {
    lines.push(...scaffold.guesses[section].map((text) => `# guess: ${text}`));
    lines.push(...scaffold.todos[section].map((text) => `# TODO: ${text}`));
    const value = source[section];
    if (value !== undefined) lines.push(stringify({ [section]: value }, { lineWidth: 0 }).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
