/** Where source files are read from unless a command is given a path. */
export function defaultSourcesPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRIBUTARY_SOURCES ?? 'sources';
}
