// Seeded PRNG (xoshiro128**, seeded through splitmix32). Every random choice
// in a host (reachable_time, ephemeral ports, link loss, IP IDs) comes from
// here, so the same lab and seed replay byte for byte.

export class Prng {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Uniform 32-bit unsigned integer (prandom_u32). */
  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform integer in [0, n) (get_random_u32_below). */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Derive a per-host seed from the lab seed and the host's index. */
export function deriveSeed(labSeed: number, index: number): number {
  return (Math.imul(labSeed ^ 0x5bd1e995, 0x01000193) + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
}
