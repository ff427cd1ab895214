/**
 * Small integer hashes: the simulator's only source of "randomness", so every price, volume and
 * fault pattern is a pure function of its inputs and identical across runs and processes.
 */

export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_32 = 2 ** 32;

/** Folds one integer of any safe size into a hash (epoch ms exceed 32 bits, so it is split). */
export function mixIn(h: number, part: number): number {
  const lo = part >>> 0;
  const hi = Math.floor(part / TWO_32) >>> 0;
  return fmix((fmix(h ^ lo) + 0x9e3779b9) ^ hi);
}

export function hash(seed: number, ...parts: number[]): number {
  let h = seed >>> 0;
  for (const part of parts) h = mixIn(h, part);
  return h;
}

/** Uniform in [0, 1). */
export function unit(seed: number, ...parts: number[]): number {
  return hash(seed, ...parts) / TWO_32;
}
