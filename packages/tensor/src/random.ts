// A small seedable pseudo-random number generator, shared by everything in llm.ts that needs
// randomness: weight init, dropout masks, training batches and token sampling.
//
// Why our own: Math.random cannot be seeded, and "same seed, same text on every machine" needs
// a generator whose every step is integer arithmetic (no platform-dependent floating point).
// Algorithm: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
// seeded through splitmix32 so that nearby seeds give unrelated streams.
// Not cryptographic; not the same stream as PyTorch's or NumPy's generators.

/** splitmix32: expands one 32-bit seed into a sequence of well-mixed 32-bit words. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Rng {
  // The whole state: four 32-bit words. Saved in checkpoints so a resumed run continues the
  // exact same stream.
  private s: Uint32Array;

  constructor(seed = 0) {
    if (!Number.isInteger(seed)) throw new Error(`Rng: seed must be an integer, got ${seed}`);
    const next = splitmix32(seed);
    this.s = new Uint32Array([next(), next(), next(), next()]);
    // xoshiro's state must not be all zero; splitmix32 never gives four zeros, but be explicit.
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits (two draws), exact on every platform. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992; // (hi * 2^26 + lo) / 2^53
  }

  /** Uniform integer in [0, n) without modulo bias (rejection sampling). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new Error(`Rng.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    // Largest multiple of n that fits in 2^32: draws at or above it would favour small values.
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * Standard normal sample N(0, 1) by the Box-Muller transform:
   *   z = sqrt(-2 ln u1) * cos(2π u2),  u1 in (0, 1], u2 in [0, 1)
   * One pair of uniforms per sample (the sine twin is dropped) keeps the state simple.
   */
  normal(): number {
    const u1 = 1 - this.nextFloat(); // (0, 1]: log(0) would be -Infinity
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A copy of the state, to save in a checkpoint. */
  getState(): number[] {
    return Array.from(this.s);
  }

  /** Continue exactly where a saved state left off. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error(`Rng.fromState: expected four 32-bit unsigned integers, got ${JSON.stringify(state)}`);
    }
    const rng = new Rng(0);
    rng.s = new Uint32Array(state);
    return rng;
  }

  /** An independent generator with the same current state. */
  clone(): Rng {
    return Rng.fromState(this.getState());
  }
}
