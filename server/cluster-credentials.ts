import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * The embedded cluster's passwords: random, made at its first start, kept next to the data
 * directory (`.data/postgres-credentials.json`) in a file only the owner can read. Nothing in the
 * source knows them, so finding the port is no longer enough to log in.
 */

const login = z.object({ user: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/), password: z.string().min(24).max(200) });
const credentialsSchema = z.object({ superuser: login, app: login });
export type ClusterCredentials = z.infer<typeof credentialsSchema>;

/**
 * The superuser password versions before this one built into every cluster. Used once, to take
 * such a cluster over and replace it with a random one; never accepted afterwards.
 */
/** The role the product connects as: owns its database and schema, and is not a superuser. */
export const APP_ROLE = 'market_pulse_app';

export const LEGACY_SUPERUSER_PASSWORD = 'market-pulse-local';

export function credentialsFile(dataDir: string): string {
  return path.join(path.dirname(dataDir), `${path.basename(dataDir)}-credentials.json`);
}

const secret = () => randomBytes(24).toString('base64url');

export function newCredentials(): ClusterCredentials {
  return { superuser: { user: 'postgres', password: secret() }, app: { user: APP_ROLE, password: secret() } };
}

/** null when the cluster has none (made by an earlier version). */
export async function readCredentials(dataDir: string): Promise<ClusterCredentials | null> {
  const file = credentialsFile(dataDir);
  if (!existsSync(file)) return null;
  const parsed = credentialsSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not what Market Pulse wrote there: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

export async function writeCredentials(dataDir: string, credentials: ClusterCredentials): Promise<void> {
  const file = credentialsFile(dataDir);
  // Written whole or not at all: a half-written file would lock the owner out of the cluster.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, file);
}
