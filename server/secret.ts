import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * ETL_SECRET guards the trigger endpoint. Where none is configured, `npm start` makes one
 * and keeps it in a file only the owner can read, so nothing has to be set up and the
 * secret is never printed.
 */
export async function ensureLocalSecret(dataDir: string): Promise<{ secret: string; file: string }> {
  const file = path.join(dataDir, 'etl-secret');
  if (existsSync(file)) return { secret: (await readFile(file, 'utf8')).trim(), file };
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, file };
}
