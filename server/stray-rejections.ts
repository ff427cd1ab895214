import { loggable } from '../functions/_shared/log-text.ts';

/**
 * A rejection nobody awaited (postgres.js can leave one behind when a connection dies with the
 * database: its LISTEN connection's, or the type lookup it makes on reconnecting) would otherwise
 * end a long-running process in the middle of an outage it is built to ride out: every part
 * (pools, LISTEN, the health check, the schedule) reconnects by itself. Said in the log, with the
 * process's name, and the process goes on.
 */
export function logStrayRejections(processName: string): void {
  process.on('unhandledRejection', (reason) => {
    const error = reason instanceof Error ? `${reason.message}\n${reason.stack ?? ''}` : String(reason);
    console.error(`[${processName}] a failed operation nobody waited for (the ${processName} goes on): ${loggable(error, 2_000)}`);
  });
}
