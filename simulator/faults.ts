import { z } from 'zod';

/** Failure modes the simulator can switch on at run time; simulator/README.md describes each. */
export interface SimulatorFaults {
  unknownSymbols: string[];
  planGatedSymbols: string[];
  invalidKeys: string[];
  errorStyle: 'auto' | 'http200' | 'status';
  exhaustMinute: boolean;
  exhaustDay: boolean;
  badGateway: number;
  serverError: number;
  delayMs: number;
  duplicateBars: boolean;
  outOfOrder: boolean;
  unfinishedLastBar: boolean;
  truncateBody: boolean;
  /** One mode, or several taking turns over the corrupted bars. */
  hostileValues: HostileMode | HostileMode[] | null;
  hugeBody: number;
  /** These symbols' `meta.exchange` is 200 KB long. */
  hugeMeta: string[];
  /** These symbols' `meta.exchange_timezone` is `Mars/Olympus`. */
  unknownTimezone: string[];
  /** Every error message is padded to this many characters (0: off). */
  errorTextBytes: number;
}

export const HOSTILE_MODES = ['nan', 'negative', 'wrongTypes', 'inverted', 'huge', 'hex', 'offGrid', 'year1970', 'nestedArray'] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

export function noFaults(): SimulatorFaults {
  return {
    unknownSymbols: [],
    planGatedSymbols: [],
    invalidKeys: [],
    errorStyle: 'auto',
    exhaustMinute: false,
    exhaustDay: false,
    badGateway: 0,
    serverError: 0,
    delayMs: 0,
    duplicateBars: false,
    outOfOrder: false,
    unfinishedLastBar: false,
    truncateBody: false,
    hostileValues: null,
    hugeBody: 0,
    hugeMeta: [],
    unknownTimezone: [],
    errorTextBytes: 0,
  };
}

/** `base` with the switches `patch` sets; keys present but undefined leave the switch alone. */
export function mergeFaults(base: SimulatorFaults, patch: Partial<SimulatorFaults>): SimulatorFaults {
  const set = Object.entries(patch).filter(([, value]) => value !== undefined);
  return { ...base, ...(Object.fromEntries(set) as Partial<SimulatorFaults>) };
}

const count = z.number().int().nonnegative();

/** What `POST /__sim/faults` accepts: any subset of the switches, nothing else. */
export const faultsPatchSchema = z
  .strictObject({
    unknownSymbols: z.array(z.string().min(1)),
    planGatedSymbols: z.array(z.string().min(1)),
    invalidKeys: z.array(z.string().min(1)),
    errorStyle: z.enum(['auto', 'http200', 'status']),
    exhaustMinute: z.boolean(),
    exhaustDay: z.boolean(),
    badGateway: count,
    serverError: count,
    // A minute is far beyond any client timeout worth testing, and keeps a typo from hanging a run.
    delayMs: count.max(60_000),
    duplicateBars: z.boolean(),
    outOfOrder: z.boolean(),
    unfinishedLastBar: z.boolean(),
    truncateBody: z.boolean(),
    hostileValues: z.union([z.enum(HOSTILE_MODES), z.array(z.enum(HOSTILE_MODES)).min(1).max(HOSTILE_MODES.length)]).nullable(),
    // V8 strings top out around 512 MiB; 256 MiB is plenty to trip any sane client limit.
    hugeBody: count.max(256 * 1024 * 1024),
    hugeMeta: z.array(z.string().min(1)),
    unknownTimezone: z.array(z.string().min(1)),
    errorTextBytes: count.max(64 * 1024 * 1024),
  })
  .partial() satisfies z.ZodType<Partial<SimulatorFaults>>;

/** Case-insensitive membership, since the API matches symbols case-insensitively. */
export function listsSymbol(list: readonly string[], symbol: string): boolean {
  return list.some((entry) => entry.toUpperCase() === symbol.toUpperCase());
}
