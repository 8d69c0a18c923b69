// The delivery ledger remembers which touch keys were already delivered, so a retried
// activity returns the first result instead of sending a second message.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { TouchResult } from '../plan/touch';

/** Written just before a send: if the worker dies before `record`, the retry knows a send may have gone out. */
export interface SendingMark {
  /** ISO instant the attempt began. */
  startedAt: string;
  channel: string;
  /** Where it went and what it said, so the retry can look for it at the provider. */
  to?: string;
  body?: string;
}

export interface DeliveryLedger {
  /** The recorded result for this key, if it was delivered before. */
  get(key: string): Promise<TouchResult | undefined>;
  /** Records a delivered key; recording the same key again keeps the first result. */
  record(key: string, result: TouchResult): Promise<void>;
  /** Notes that a send for this key is about to start (kept after `record`, harmless). */
  markSending(key: string, mark: SendingMark): Promise<void>;
  /** The mark of an earlier attempt whose outcome was never recorded, if any. */
  sendingMark(key: string): Promise<SendingMark | undefined>;
}

/**
 * One small JSON file per key under `dir`. Fine for one host (`npm start`, a single worker);
 * a fleet of workers needs a shared store behind the same interface (see README, Production).
 */
export class FileDeliveryLedger implements DeliveryLedger {
  constructor(private readonly dir: string) {}

  private path(key: string, suffix = ''): string {
    return join(this.dir, `${encodeURIComponent(key)}${suffix}.json`);
  }

  private async read<T>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async write(path: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, path); // atomic: a reader sees all of it or nothing
  }

  get(key: string): Promise<TouchResult | undefined> {
    return this.read<TouchResult>(this.path(key));
  }

  async record(key: string, result: TouchResult): Promise<void> {
    if (await this.get(key)) return;
    await this.write(this.path(key), result);
  }

  async markSending(key: string, mark: SendingMark): Promise<void> {
    await this.write(this.path(key, '.sending'), mark);
  }

  async sendingMark(key: string): Promise<SendingMark | undefined> {
    return (await this.get(key)) ? undefined : this.read<SendingMark>(this.path(key, '.sending'));
  }
}
