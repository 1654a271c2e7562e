type JsonSchema = Record<string, unknown>;

interface Node {
  types: string[];
  properties: Map<string, Node>;
  items?: Node;
}

/**
 * A JSON Schema (draft-07) of the shape a window's fingerprint describes, for the schema registry:
 * `["id: number", "owner: object", "owner.login: string", "tags: array", "tags[]: string"]` becomes
 * `{type: object, properties: {id: {type: number}, owner: {type: object, properties: {...}}, ...}}`.
 */
export function jsonSchemaOfFields(fields: string[]): JsonSchema {
  const root: Node = { types: ['object'], properties: new Map() };
  for (const line of fields) {
    const at = line.lastIndexOf(': ');
    let node = root;
    for (const token of tokens(line.slice(0, at))) {
      if (token === '[]') {
        node.items ??= { types: [], properties: new Map() };
        node = node.items;
      } else {
        let child = node.properties.get(token);
        if (!child) {
          child = { types: [], properties: new Map() };
          node.properties.set(token, child);
        }
        node = child;
      }
    }
    node.types = line.slice(at + 2).split('|');
  }
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...render(root) };
}

/** `items[].sku` -> items, [], sku */
function tokens(path: string): string[] {
  return path.split('.').flatMap((part) => {
    const name = part.replace(/(\[\])+$/, '');
    const arrays = (part.length - name.length) / 2;
    return [name, ...Array<string>(arrays).fill('[]')];
  });
}

function render(node: Node): JsonSchema {
  const schema: JsonSchema = { type: node.types.length === 1 ? node.types[0] : node.types };
  if (node.properties.size > 0) {
    schema.properties = Object.fromEntries(
      [...node.properties].map(([name, child]) => [name, render(child)]),
    );
  }
  if (node.items) schema.items = render(node.items);
  return schema;
}
