import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A `copy ... from stdin` query as postgres.js returns it, before it runs. */
export interface CopyStatement {
  writable(): Promise<Writable>;
  /** The driver's own settle function for this query (see `serverError`). */
  reject?: (error: unknown) => unknown;
}

/**
 * Streams binary COPY data into a `copy ... from stdin (format binary)` statement.
 *
 * The chunks come from a generator that is pulled only as fast as the socket drains, so the
 * rows for the next chunk are computed while PostgreSQL inserts the previous one: Node's
 * work and the server's overlap on the two cores instead of taking turns. Resolves once the
 * server has confirmed the COPY; a server error (or an exception in the generator, which
 * aborts the COPY) rejects, and the run's transaction rolls back.
 */
export async function copyIn(statement: CopyStatement, chunks: Iterable<Uint8Array>): Promise<void> {
  const failed = serverError(statement);
  const stream = await statement.writable();
  await Promise.race([pipeline(Readable.from(chunks, { objectMode: false }), stream), failed]);
}

/**
 * Rejects with the error the server raises for this COPY. postgres.js 3.4.9 destroys the
 * writable with it only while data is still being written; an error raised after the last
 * chunk (a constraint broken by the final rows) reaches nothing but the query's own, long
 * since resolved promise, and the writable never finishes: the load would hang. The driver
 * settles the query through its `reject` property, so that is where the error is caught.
 */
function serverError(statement: CopyStatement): Promise<never> {
  const failed = new Promise<never>((_, reject) => {
    const settle = statement.reject;
    statement.reject = (error) => {
      reject(error);
      return settle?.(error);
    };
  });
  // Observed here too, so an error before the race starts (the COPY refused outright) is not unhandled.
  failed.catch(() => {});
  return failed;
}
