/** One line for a person, or one JSON object for a script. */
export function printOutcome(json: boolean, line: string, object: object): void {
  process.stdout.write(json ? `${JSON.stringify(object)}\n` : `${line}\n`);
}
