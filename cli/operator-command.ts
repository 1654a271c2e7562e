import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';

type Run = (args: string[]) => Promise<number>;

/**
 * Wraps a command so that its errors become exit codes: a CliError keeps its own, a parseArgs
 * error (unknown option, missing value) is bad usage (2) and prints the usage line.
 */
export function operatorCommand(usage: string, run: Run): Run {
  return async (args) => {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return EXIT.ok;
    }
    try {
      return await run(args);
    } catch (error) {
      if (error instanceof CliError) {
        process.stderr.write(`${error.message}\n`);
        if (error.exitCode === EXIT.usage) process.stderr.write(`${usage}\n`);
        return error.exitCode;
      }
      if (isParseArgsError(error)) {
        process.stderr.write(`${error.message}\n${usage}\n`);
        return EXIT.usage;
      }
      throw error;
    }
  };
}

function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
