import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Python that has pyspark: $TRIBUTARY_PYTHON, else the one scripts/setup.sh installs it into. */
export function pythonPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRIBUTARY_PYTHON ?? fileURLToPath(new URL('../../.tools/venv/bin/python', import.meta.url));
}

/** The folder of the transform script (the same one Glue runs). */
export const glueScriptDir = path.resolve(fileURLToPath(new URL('../../infra/glue/', import.meta.url)));
