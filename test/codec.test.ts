// The payload codec's AES-256-GCM (lib/codec.ts) on its own, no server: the tag length is pinned to
// 16 bytes on both sides, so a truncated tag (easier to forge: 4 bytes is one chance in 2^32) is
// refused whatever its bytes, as is a payload too short to hold its IV and tag, or a flipped bit.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUTH_TAG_BYTES, cipherFor, decipherFor, EncryptionCodec, ENCRYPTED_ENCODING } from '../lib/codec';

const key = Buffer.alloc(32, 0x42);
const codec = new EncryptionCodec([{ id: 'k1', key }]);
const payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"name":"Layla"}') };

describe('the payload codec (AES-256-GCM)', () => {
  it('round-trips a payload; the ciphertext ends in a 16-byte tag', async () => {
    const [encrypted] = await codec.encode([payload]);
    expect(new TextDecoder().decode(encrypted!.metadata!.encoding!)).toBe(ENCRYPTED_ENCODING);
    // The IV, the encrypted payload (its metadata too), then the tag.
    expect(encrypted!.data!.length).toBeGreaterThan(12 + payload.data.length + AUTH_TAG_BYTES);
    const [decoded] = await codec.decode([encrypted!]);
    expect(new TextDecoder().decode(decoded!.data!)).toBe('{"name":"Layla"}');
  });

  it('refuses a truncated tag: the decipher takes only 16 bytes, even the right first 12 or 4', () => {
    const iv = randomBytes(12);
    const cipher = cipherFor(key, iv);
    const body = Buffer.concat([cipher.update('secret'), cipher.final()]);
    const tag = cipher.getAuthTag();
    expect(tag.length).toBe(16);
    for (const cut of [4, 8, 12, 15]) {
      const decipher = decipherFor(key, iv);
      expect(() => decipher.setAuthTag(tag.subarray(0, cut)), `${cut} bytes`).toThrow(/tag length|Invalid authentication tag length/i);
    }
    // The whole tag still decrypts.
    const decipher = decipherFor(key, iv);
    decipher.setAuthTag(tag);
    expect(Buffer.concat([decipher.update(body), decipher.final()]).toString()).toBe('secret');
  });

  it('refuses a payload whose tag was cut, one too short for its IV and tag, and one with a flipped bit', async () => {
    const [encrypted] = await codec.encode([payload]);
    const data = Buffer.from(encrypted!.data!);
    const as = (bytes: Buffer) => ({ ...encrypted!, data: bytes });
    await expect(codec.decode([as(data.subarray(0, data.length - 4))])).rejects.toThrow(/unable to authenticate|auth/i);
    await expect(codec.decode([as(data.subarray(0, 12 + 4))])).rejects.toThrow('shorter than its IV and tag (28)');
    const flipped = Buffer.from(data);
    flipped[14]! ^= 1;
    await expect(codec.decode([as(flipped)])).rejects.toThrow(/unable to authenticate|auth/i);
  });
});
