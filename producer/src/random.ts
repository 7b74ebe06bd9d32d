/** Seeded randomness for the generator: independent streams, uniforms, normals, heavy tails. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** Largest seed accepted; seeds are 32-bit unsigned integers. */
export const MAX_SEED = 0xffff_ffff;

/** A mutable, seeded random source. Every method advances the stream. */
export class RandomStream {
  // Box-Muller yields normals in pairs; the second one is kept for the next call.
  private spareNormal: number | undefined;

  constructor(private readonly rng: JumpableRandomGenerator) {}

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.rng);
  }

  /** Uniform in (0, 1]: safe to take a logarithm of. */
  uniformPositive(): number {
    return 1 - uniformFloat64(this.rng);
  }

  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  /** Standard normal N(0, 1) by the Box-Muller transform. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniformPositive()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Pareto(xMin, alpha) sample: P(X > x) = (xMin / x)^alpha for x >= xMin. */
  pareto(xMin: number, alpha: number): number {
    return xMin / this.uniformPositive() ** (1 / alpha);
  }
}

/**
 * Creates `count` independent streams from one seed. Each stream is the
 * previous one jumped 2^64 steps ahead, so streams never overlap and adding a
 * draw to one stream does not shift the others.
 */
export function createStreams(seed: number, count: number): RandomStream[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`seed must be an integer between 0 and ${MAX_SEED}, got ${seed}`);
  }
  const base = xoroshiro128plus(seed | 0);
  const streams: RandomStream[] = [];
  for (let i = 0; i < count; i++) {
    streams.push(new RandomStream(base.clone()));
    base.jump();
  }
  return streams;
}
