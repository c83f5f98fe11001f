import { createHash, hash as oneShotHash } from 'node:crypto';

/**
 * The hash functions behind carbon's ring positions (carbon/hashing.py `carbonHash`) and
 * carbon-c-relay's (consistent-hash.c, fnv1a.h). All take the key as a JS string and hash its UTF-8
 * bytes, as Python's `key.encode('utf-8')` and c-relay's raw input bytes do.
 */

const encoder = new TextEncoder();
const scratch = new Uint8Array(4096);

/** UTF-8 bytes of `s` in a shared scratch buffer (valid until the next call); ASCII is copied directly. */
function utf8(s: string): Uint8Array {
  const n = s.length;
  if (n <= scratch.length) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[i] = c;
    }
    if (i === n) return scratch.subarray(0, n);
  }
  if (n * 3 <= scratch.length) {
    const { written } = encoder.encodeInto(s, scratch);
    return scratch.subarray(0, written);
  }
  return encoder.encode(s);
}

function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57; // digest hex is lower-case
}

/** The integer value of the first four hex digits. */
function hex16(hex: string): number {
  return (hexDigit(hex.charCodeAt(0)) << 12) | (hexDigit(hex.charCodeAt(1)) << 8) | (hexDigit(hex.charCodeAt(2)) << 4) | hexDigit(hex.charCodeAt(3));
}

/**
 * `carbon_ch`: the first 16 bits of MD5 (Python: `int(md5(key).hexdigest()[:4], 16)`). crypto.hash
 * with hex output is the fastest MD5 Node offers for short keys (a Buffer digest costs ~3x more).
 */
export const carbonChPosition: (key: string) => number =
  typeof oneShotHash === 'function'
    ? (key) => hex16(oneShotHash('md5', key, 'hex'))
    : (key) => hex16(createHash('md5').update(key, 'utf8').digest('hex'));

/** FNV-1a 32-bit over UTF-8 bytes, offset 0x811c9dc5, as carbon's pure-Python `fnv32a` (and pyhash). */
export function fnv1a32(key: string): number {
  const b = utf8(key);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** `fnv1a_ch`: the 32-bit FNV-1a folded to 16 bits, `(h >> 16) ^ (h & 0xffff)`. */
export function fnv1aChPosition(key: string): number {
  const h = fnv1a32(key);
  return (h >>> 16) ^ (h & 0xffff);
}

/**
 * `mmh3_ch`: MurmurHash3 x86 32-bit, seed 0, as a **signed** int32 — what the `mmh3` module's
 * `mmh3.hash(key)` returns (it hashes a str's UTF-8 bytes).
 */
export function murmur3x86_32(key: string, seed = 0): number {
  const b = utf8(key);
  const len = b.length;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= b[blocks + 2] << 16;
    if (tail >= 2) k ^= b[blocks + 1] << 8;
    k ^= b[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The hash types carbon's ROUTER_HASH_TYPE accepts; anything else falls back to carbon_ch, as carbonHash does. */
export type CarbonHashType = 'carbon_ch' | 'fnv1a_ch' | 'mmh3_ch';

/** carbon/hashing.py `carbonHash(key, hash_type)`: an unknown type hashes like carbon_ch. */
export function carbonHash(key: string, hashType: string): number {
  if (hashType === 'fnv1a_ch') return fnv1aChPosition(key);
  if (hashType === 'mmh3_ch') return murmur3x86_32(key);
  return carbonChPosition(key);
}

/**
 * The byte carbon-c-relay feeds into FNV-1a: it walks a `const char *` and casts each char to
 * `unsigned int`, so on x86 (signed char) bytes >= 0x80 are sign-extended to 0xFFFFFFxx. This only
 * differs from textbook FNV-1a for non-ASCII names.
 */
function cRelayByte(b: number): number {
  return b >= 0x80 ? (b | 0xffffff00) >>> 0 : b;
}

/** carbon-c-relay `fnv1a_hashpos`: 32-bit FNV-1a with sign-extended bytes, folded to 16 bits. */
export function cRelayFnv1aPosition(key: string): number {
  const b = utf8(key);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ cRelayByte(b[i]), 0x01000193);
  h >>>= 0;
  return (h >>> 16) ^ (h & 0xffff);
}

const MASK64 = (1n << 64n) - 1n;

/**
 * carbon-c-relay `fnv1a_64`. Its bytes are sign-extended to the full 64 bits (checked against
 * carbon-c-relay 3.7.3 `-t`: zero-extending from 32 bits, as the 32-bit variant's cast would suggest,
 * places non-ASCII names elsewhere).
 */
export function cRelayFnv1a64(key: string): bigint {
  const b = utf8(key);
  let h = 14695981039346656037n;
  for (let i = 0; i < b.length; i++) {
    const v = b[i] >= 0x80 ? BigInt(b[i]) | 0xffffffffffffff00n : BigInt(b[i]);
    h = ((h ^ v) * 1099511628211n) & MASK64;
  }
  return h;
}

/** Lamping & Veach jump consistent hash, with carbon-c-relay's double arithmetic: a bucket in [0, buckets). */
export function jumpBucket(key: bigint, buckets: number): number {
  let b = -1;
  let j = 0;
  let k = key;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & MASK64;
    j = Math.trunc((b + 1) * (2147483648 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** carbon-c-relay's xorshift step that re-seeds the jump hash for each further replica. */
export function cRelayXorshift(hash: bigint): bigint {
  let h = hash;
  h ^= h >> 12n;
  h = (h ^ (h << 25n)) & MASK64;
  h ^= h >> 27n;
  return (h * 2685821657736338717n) & MASK64;
}
