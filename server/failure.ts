/**
 * What a command prints when it cannot start: the message (for a database error, PostgreSQL's own
 * words with its detail and hint), never a stack trace of our code, and never `undefined`.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return error === undefined ? 'failed without saying why' : String(error);
  const { detail, hint } = error as { detail?: unknown; hint?: unknown };
  const parts = [error.message];
  if (typeof detail === 'string' && detail) parts.push(`DETAIL: ${detail}`);
  if (typeof hint === 'string' && hint) parts.push(`HINT: ${hint}`);
  return parts.join('\n');
}
