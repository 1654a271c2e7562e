import type { GeneratedDataKey, KmsApi } from './kms-api.ts';

export interface DataKeyLimits {
  /** A generated data key encrypts new payloads for at most this long... */
  maxAgeMs: number;
  /** ...and at most this many payloads, whichever ends first. */
  maxPayloads: number;
  /** How many decrypted data keys are kept (least recently used go first); each for maxAgeMs. */
  decryptCacheSize?: number;
  now?: () => number;
}

export interface DataKeyStats {
  /** GenerateDataKey calls made. */
  generated: number;
  /** Data keys of payloads being decoded found in the cache, and those that needed KMS Decrypt. */
  decryptHits: number;
  decryptMisses: number;
}

/**
 * The data keys of envelope encryption: one generated key at a time for encoding (replaced after
 * its age or payload budget, so a leaked data key exposes a bounded slice of history and KMS sees
 * a call per few minutes, not per payload), and a bounded cache of decrypted keys for decoding.
 * Concurrent callers share one KMS call; a failed call is not cached.
 */
export class DataKeys {
  readonly #kms: KmsApi;
  readonly #limits: Required<DataKeyLimits>;
  #current: { key: Promise<GeneratedDataKey>; createdAt: number; uses: number; kmsKeyId: string } | undefined;
  readonly #decrypted = new Map<string, { plaintext: Promise<Uint8Array>; expiresAt: number }>();
  readonly #stats: DataKeyStats = { generated: 0, decryptHits: 0, decryptMisses: 0 };

  constructor(kms: KmsApi, limits: DataKeyLimits) {
    this.#kms = kms;
    this.#limits = { decryptCacheSize: 1_000, now: Date.now, ...limits };
  }

  /** The data key to encrypt one more payload with, under the KMS key `kmsKeyId`. */
  async forEncryption(kmsKeyId: string): Promise<GeneratedDataKey> {
    const now = this.#limits.now();
    const current = this.#current;
    if (
      current === undefined ||
      current.kmsKeyId !== kmsKeyId ||
      current.uses >= this.#limits.maxPayloads ||
      now - current.createdAt >= this.#limits.maxAgeMs
    ) {
      const key = this.#kms.generateDataKey(kmsKeyId);
      this.#stats.generated++;
      const fresh = { key, createdAt: now, uses: 1, kmsKeyId };
      this.#current = fresh;
      key.then(
        (generated) => this.#remember(generated.encrypted, Promise.resolve(generated.plaintext), now),
        () => {
          if (this.#current === fresh) this.#current = undefined;
        },
      );
      return key;
    }
    current.uses++;
    return current.key;
  }

  /** The plaintext of a data key KMS encrypted under `kmsKeyId`, from the cache or KMS Decrypt. */
  async forDecryption(encrypted: Uint8Array, kmsKeyId: string): Promise<Uint8Array> {
    const now = this.#limits.now();
    const id = Buffer.from(encrypted).toString('base64');
    const cached = this.#decrypted.get(id);
    if (cached !== undefined && cached.expiresAt > now) {
      this.#stats.decryptHits++;
      this.#decrypted.delete(id); // re-inserted: the Map's order is the least recently used first
      this.#decrypted.set(id, cached);
      return cached.plaintext;
    }
    this.#stats.decryptMisses++;
    const plaintext = this.#kms.decrypt(encrypted, kmsKeyId);
    this.#remember(encrypted, plaintext, now);
    plaintext.catch(() => {
      if (this.#decrypted.get(id)?.plaintext === plaintext) this.#decrypted.delete(id);
    });
    return plaintext;
  }

  stats(): DataKeyStats {
    return { ...this.#stats };
  }

  #remember(encrypted: Uint8Array, plaintext: Promise<Uint8Array>, now: number): void {
    const id = Buffer.from(encrypted).toString('base64');
    this.#decrypted.delete(id);
    this.#decrypted.set(id, { plaintext, expiresAt: now + this.#limits.maxAgeMs });
    while (this.#decrypted.size > this.#limits.decryptCacheSize) {
      const oldest = this.#decrypted.keys().next().value;
      if (oldest === undefined) break;
      this.#decrypted.delete(oldest);
    }
  }
}
