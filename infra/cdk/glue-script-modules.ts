import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The modules of infra/glue/ a Glue entry script imports, directly or through each other: the job's
 * `--extra-py-files`, so a module added beside the script ships with it.
 */
export function glueScriptModules(entry: string): string[] {
  const folder = path.dirname(entry);
  const found = new Set<string>();
  const visit = (file: string) => {
    for (const match of readFileSync(file, 'utf8').matchAll(/^(?:from\s+(\w+)\s+import|import\s+(\w+))/gm)) {
      const module = path.join(folder, `${match[1] ?? match[2]}.py`);
      if (module === entry || found.has(module) || !existsSync(module)) continue;
      found.add(module);
      visit(module);
    }
  };
  visit(entry);
  return [...found].sort();
}
