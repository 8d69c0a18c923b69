// The delivery ledger remembers which touch keys were already delivered, so a retried
// activity returns the first result instead of sending a second message.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { TouchResult } from '../plan/touch';

export interface DeliveryLedger {
  /** The recorded result for this key, if it was delivered before. */
  get(key: string): Promise<TouchResult | undefined>;
  /** Records a delivered key; recording the same key again keeps the first result. */
  record(key: string, result: TouchResult): Promise<void>;
}

/**
 * One small JSON file per key under `dir`. Fine for one host (`npm start`, a single worker);
 * a fleet of workers needs a shared store behind the same interface (see README, Production).
 */
export class FileDeliveryLedger implements DeliveryLedger {
  constructor(private readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, `${encodeURIComponent(key)}.json`);
  }

  async get(key: string): Promise<TouchResult | undefined> {
    try {
      return JSON.parse(await readFile(this.path(key), 'utf8')) as TouchResult;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async record(key: string, result: TouchResult): Promise<void> {
    if (await this.get(key)) return;
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(key)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(result));
    await rename(tmp, this.path(key)); // atomic: a reader sees all of it or nothing
  }
}
