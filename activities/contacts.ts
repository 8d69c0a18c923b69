// Which customer a phone number belongs to, for inbound SMS (STOP, START, replies). Keys are
// SHA-256 hashes of the E.164 number, so the folder does not list phone numbers. A file
// store like the delivery ledger: one host, or a shared volume (README, Production).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ContactEntry {
  customerId: string;
  workflowId: string;
}

export interface ContactIndex {
  remember(phone: string, entry: ContactEntry): Promise<void>;
  lookup(phone: string): Promise<ContactEntry | undefined>;
}

const keyOf = (phone: string) => createHash('sha256').update(phone.replace(/[^+\d]/g, '')).digest('hex');

export class FileContactIndex implements ContactIndex {
  constructor(private readonly dir: string) {}

  async remember(phone: string, entry: ContactEntry): Promise<void> {
    const path = join(this.dir, `${keyOf(phone)}.json`);
    const known = await this.lookup(phone);
    if (known?.customerId === entry.customerId) return;
    await mkdir(this.dir, { recursive: true });
    await writeFile(`${path}.${process.pid}.tmp`, JSON.stringify(entry));
    await rename(`${path}.${process.pid}.tmp`, path);
  }

  async lookup(phone: string): Promise<ContactEntry | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, `${keyOf(phone)}.json`), 'utf8')) as ContactEntry;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}
