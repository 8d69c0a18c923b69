// Customer data encrypted in Temporal: a payload codec (AES-256-GCM) for every payload the worker,
// the service layer and the CLI send to Temporal (workflow inputs, signals, updates, queries,
// activity arguments and results), so histories and Temporal UI hold ciphertext. Each payload
// names its key (`encryption-key-id` in the metadata): keys rotate by putting a new one first
// (it encrypts from then on) and keeping the old ones after it (they still decrypt old
// histories). A payload without the encrypted encoding passes through (histories from before).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

export interface EncryptionKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

const IV_BYTES = 12;
/** GCM's full tag: pinned on both sides, so a shorter (truncated, easier to forge) tag is never checked as one. */
export const AUTH_TAG_BYTES = 16;

/** AES-256-GCM encryption with the full 16-byte tag. */
export const cipherFor = (key: Buffer, iv: Buffer) => createCipheriv('aes-256-gcm', key, iv, { authTagLength: AUTH_TAG_BYTES });
/** AES-256-GCM decryption that takes only a 16-byte tag (setAuthTag throws on any other length). */
export const decipherFor = (key: Buffer, iv: Buffer) => createDecipheriv('aes-256-gcm', key, iv, { authTagLength: AUTH_TAG_BYTES });

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : '');

/** `id:base64key,...` (PLAN33_ENCRYPTION_KEYS): the first encrypts, all decrypt. Throws naming a bad entry. */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
  const keys = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([A-Za-z0-9._-]{1,40}):([A-Za-z0-9+/=_-]+)$/.exec(entry);
      const key = m ? Buffer.from(m[2]!, 'base64') : undefined;
      if (!m || key!.length !== 32) throw new Error(`expected id:base64 of 32 random bytes (openssl rand -base64 32), got ${JSON.stringify(entry.slice(0, 12))}…`);
      return { id: m[1]!, key: key! };
    });
  const ids = keys.map((k) => k.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`key id ${dup} is used twice`);
  return keys;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  constructor(private readonly keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('an encryption codec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = cipherFor(key, iv);
      const body = Buffer.concat([cipher.update(proto.temporal.api.common.v1.Payload.encode(p).finish()), cipher.final()]);
      return { metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(id) }, data: Buffer.concat([iv, body, cipher.getAuthTag()]) };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (str(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
      const id = str(p.metadata?.[KEY_ID_METADATA]);
      const key = this.byId.get(id);
      if (!key) throw new Error(`payload encrypted with key ${JSON.stringify(id)}, which is not among PLAN33_ENCRYPTION_KEYS`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + AUTH_TAG_BYTES) throw new Error(`encrypted payload of ${data.length} bytes: shorter than its IV and tag (${IV_BYTES + AUTH_TAG_BYTES})`);
      const decipher = decipherFor(key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - AUTH_TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - AUTH_TAG_BYTES)), decipher.final()]);
      return proto.temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/** The data converter for clients and workers: encrypted when keys are configured, else Temporal's default. */
export function dataConverterFor(keys: readonly EncryptionKey[] | undefined) {
  return keys?.length ? { payloadCodecs: [new EncryptionCodec(keys)] } : undefined;
}
