import { ConfigError, parseConfig } from '../functions/_shared/config.ts';
import { openDatabase } from '../server/database.ts';
import { describeFailure } from '../server/failure.ts';

/** `npm run migrate`: brings the `market` schema up to date (opening the database migrates it) and says what changed. */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const database = await openDatabase(config.DATABASE_URL, 'market-pulse-migrate');
  const { applied, unchanged } = database.migration;
  console.log(`Schema market is up to date in ${database.label}: applied ${applied.length} (${applied.join(', ') || 'none'}), unchanged ${unchanged.length}.`);
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `migrate failed: ${describeFailure(error)}`);
  process.exit(1);
});
