// A checksum of a model's weights: FNV-1a (32-bit) over the bytes of every parameter, in the
// model's own parameter order. The dashboard shows it before and after each query — equal, since
// inference only reads the weights — and it changes with every optimizer step.
//
//   hash = 2166136261;  for each byte b: hash = (hash XOR b) * 16777619  (mod 2^32)
//
// Not cryptographic: it tells "the same bytes" from "changed", which is all the page claims.
// Not here: reading the weights (the worker passes their arrays).
// Reference: Fowler–Noll–Vo hash, FNV-1a (the IETF draft's test vectors: "" -> 811c9dc5,
// "a" -> e40c292c, "foobar" -> bf9cf968).

const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

/** Continues an FNV-1a hash over `bytes`. */
function fnv1a(hash: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, PRIME);
  return hash >>> 0;
}

/** FNV-1a of the arrays' bytes, one after another, as 8 hex digits. */
export function checksumOf(arrays: Iterable<ArrayBufferView>): string {
  let hash = OFFSET_BASIS;
  for (const a of arrays) hash = fnv1a(hash, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return hash.toString(16).padStart(8, "0");
}
