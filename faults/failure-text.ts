/** Every message down an error's cause chain (workflow, activity, application failure), joined. */
export function failureText(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error && messages.length < 6; current = current.cause) {
    if (current.message !== '' && !messages.includes(current.message)) messages.push(current.message);
  }
  return messages.join(': ') || String(error);
}
