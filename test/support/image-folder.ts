import { execFile } from 'node:child_process';
import { cp, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What workers/Dockerfile does, read from it: the files it copies, its npm install and node steps, ENV, CMD and HEALTHCHECK. */
export interface ImageRecipe {
  /** COPY lines in order: sources (relative to the build context) and the destination. */
  copies: { sources: string[]; destination: string }[];
  /** The npm command of its RUN line, without the cache cleanup after `&&`. */
  install: string[];
  /** Its `RUN node ...` lines: the command and how many COPY lines come before it. */
  nodeRuns: { command: string[]; afterCopies: number }[];
  env: Record<string, string>;
  cmd: string[];
  healthCheck: string[];
}

export async function readImageRecipe(dockerfile: string): Promise<ImageRecipe> {
  const recipe: ImageRecipe = { copies: [], install: [], nodeRuns: [], env: {}, cmd: [], healthCheck: [] };
  for (const line of (await readFile(dockerfile, 'utf8')).split('\n')) {
    const [instruction, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(' ');
    if (instruction === 'COPY') {
      const parts = rest.filter((part) => !part.startsWith('--'));
      recipe.copies.push({ sources: parts.slice(0, -1), destination: parts.at(-1)! });
    } else if (instruction === 'RUN' && rest[0] === 'npm') {
      recipe.install = args.split('&&')[0]!.trim().split(/\s+/);
    } else if (instruction === 'RUN' && rest[0] === 'node') {
      recipe.nodeRuns.push({ command: rest, afterCopies: recipe.copies.length });
    } else if (instruction === 'ENV') {
      for (const pair of rest) {
        const [key, value] = pair.split('=');
        recipe.env[key!] = value ?? '';
      }
    } else if (instruction === 'CMD') {
      recipe.cmd = JSON.parse(args) as string[];
    } else if (instruction === 'HEALTHCHECK') {
      recipe.healthCheck = JSON.parse(args.slice(args.indexOf('CMD') + 3)) as string[];
    }
  }
  return recipe;
}

/**
 * The image's /app as a folder, built the way the Dockerfile builds it: the COPY lines from the
 * build context (the repository, less what .dockerignore leaves out, which keeps only these), its
 * npm install, from the npm cache when it holds the packages, and its `RUN node` steps (the
 * workflow bundles). Returns how long npm took.
 */
export async function buildImageFolder(
  recipe: ImageRecipe,
  context: string,
  app: string,
): Promise<{ npmSeconds: number }> {
  let npmSeconds = 0;
  for (const [index, copy] of recipe.copies.entries()) {
    const target = path.join(app, copy.destination);
    await mkdir(copy.destination.endsWith('/') ? target : path.dirname(target), { recursive: true });
    for (const source of copy.sources) {
      const destination = copy.destination.endsWith('/') ? path.join(target, path.basename(source)) : target;
      await cp(path.join(context, source), destination, { recursive: true });
    }
    // The Dockerfile installs right after copying package.json and the lock, before the sources.
    if (index === 0) {
      const started = performance.now();
      const [command, ...args] = recipe.install;
      if (command !== 'npm') throw new Error(`the Dockerfile installs with ${command}, not npm`);
      await run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: app,
        env: { ...process.env, NODE_ENV: 'production' },
      });
      npmSeconds = (performance.now() - started) / 1000;
    }
    for (const nodeRun of recipe.nodeRuns.filter((step) => step.afterCopies === index + 1))
      await run(process.execPath, nodeRun.command.slice(1), {
        cwd: app,
        env: { ...process.env, NODE_ENV: 'production' },
      });
  }
  return { npmSeconds };
}
