import { deriveSeed, seededRandom } from "../../src/github-standin/http/prng.js";

/**
 * A seeded random source for one concern of the run (the workload, the kill schedule, the person,
 * CI): each gets its own stream derived from the run's seed, so changing how often one of them
 * draws does not shift the others.
 */
export class Rng {
  readonly #next: () => number;

  constructor(seed: number, stream = 0) {
    this.#next = seededRandom(deriveSeed(seed, stream));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.#next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }

  chance(probability: number): boolean {
    return this.#next() < probability;
  }

  /** One of `weights`' keys, drawn in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let draw = this.#next() * total;
    for (const [key, weight] of entries) {
      draw -= weight;
      if (draw < 0) return key;
    }
    const last = entries.at(-1);
    if (!last) throw new Error("weighted: no choices");
    return last[0];
  }
}

/** Streams of the run's random sources (stable numbers: a seed reproduces the same draws). */
export const STREAMS = { workload: 1, chaos: 2, person: 3, ci: 4, faults: 5 } as const;
