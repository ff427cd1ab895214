import { ConfigError, parseConfig } from '../functions/_shared/config.ts';
import { connect } from '../functions/_shared/db.ts';
import { openDatabase } from '../server/database.ts';
import { describeFailure } from '../server/failure.ts';
import { checkMigrations } from '../server/migrate.ts';

/**
 * `npm run migrate`: brings the `market` schema up to date (opening the database migrates it) and says what changed.
 * `npm run migrate -- --check`: applies nothing; fails if a migration applied to DATABASE_URL was edited since
 * (run it against a Supabase project before `supabase db push`, which compares versions only).
 */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  if (process.argv.includes('--check')) {
    if (!config.DATABASE_URL) throw new ConfigError('--check needs DATABASE_URL: the database to compare the migrations with');
    const sql = connect(config.DATABASE_URL, { max: 1, applicationName: 'market-pulse-migrate' });
    try {
      const { pending, applied } = await checkMigrations(sql);
      console.log(
        `Migrations check: ${applied.length} applied and unchanged, ${pending.length} pending (${pending.join(', ') || 'none'}).`,
      );
    } finally {
      await sql.end({ timeout: 5 });
    }
    return;
  }
  const database = await openDatabase(config.DATABASE_URL, 'market-pulse-migrate');
  const { applied, unchanged } = database.migration;
  console.log(
    `Schema market is up to date in ${database.label}: applied ${applied.length} (${applied.join(', ') || 'none'}), unchanged ${unchanged.length}.`,
  );
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `migrate failed: ${describeFailure(error)}`);
  process.exit(1);
});
