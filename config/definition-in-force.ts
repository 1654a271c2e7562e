import { type Source, sourceSchema } from './source.ts';

/**
 * A definition carried by a long-running workflow, read through today's schema so that fields
 * added since it was sent get their defaults (an `undefined` pauseAfterFailures would turn the
 * breaker off). One that no longer parses is used as it is, with the reason, rather than stopping
 * the workflow: the next `sync` or `resume` sends the definition from the files.
 */
export function definitionInForce(carried: Source): { source: Source; problem?: string } {
  const parsed = sourceSchema.safeParse(carried);
  if (parsed.success) return { source: parsed.data };
  const problem = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return { source: carried, problem };
}
