// The secrets `npm start` keeps in its data folder (`<data dir>/secrets.json`, mode 0600), made on
// the first start and kept, so links in captured emails keep working and encrypted histories stay
// readable across restarts. The CLI reads the same file to reach the stack `npm start` runs:
// its encryption key (to read what the workflows answer) when PLAN33_ENCRYPTION_KEYS is unset.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EncryptionKey } from './codec';

const secretsSchema = z.object({
  apiKey: z.string().min(16),
  unsubscribe: z.string().min(16),
  webhook: z.string().min(16),
  /** AES-256 key (base64, 32 bytes) for customer data in the local Temporal server. */
  encryption: z.string().optional(),
  /** The path secret Temporal UI's codec endpoint carries (`/codec/ui/<token>`). */
  codecToken: z.string().optional(),
});
export type LocalSecrets = Required<z.infer<typeof secretsSchema>>;

export const LOCAL_KEY_ID = 'local-1';
const fresh = (bytes: number) => randomBytes(bytes).toString('base64url');

export function localSecretsFile(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

/** Reads the data folder's secrets, adding any a newer plan33 needs (an older file keeps its values). */
export function ensureLocalSecrets(dataDir: string): LocalSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = localSecretsFile(dataDir);
  const found = existsSync(file) ? secretsSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  const secrets: LocalSecrets = {
    apiKey: found?.apiKey ?? fresh(18),
    unsubscribe: found?.unsubscribe ?? fresh(24),
    webhook: found?.webhook ?? fresh(24),
    encryption: found?.encryption ?? randomBytes(32).toString('base64'),
    codecToken: found?.codecToken ?? fresh(24),
  };
  if (JSON.stringify(found) !== JSON.stringify(secrets)) writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The local stack's encryption key, when `npm start` has made one in this data folder. */
export function localEncryptionKeys(dataDir: string): EncryptionKey[] | undefined {
  const file = localSecretsFile(dataDir);
  if (!existsSync(file)) return undefined;
  const parsed = secretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success && parsed.data.encryption ? [{ id: LOCAL_KEY_ID, key: Buffer.from(parsed.data.encryption, 'base64') }] : undefined;
}
