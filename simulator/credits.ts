import { DAY_MS, MINUTE_MS } from './zone-oracle.ts';

/**
 * API credit accounting against the simulated clock. The minute is the wall-clock minute (the
 * API's documentation leaves rolling vs. wall-clock open; clients in the wild sleep to the next wall-clock
 * minute, so that is the behaviour they are written against) and the day is the UTC day.
 */

export type Shortfall = { limit: 'minute' | 'day'; wouldUse: number };

export class CreditLedger {
  private minuteKey = Number.NaN;
  private minuteUsed = 0;
  private dayKey = Number.NaN;
  private dayUsed = 0;

  constructor(
    readonly perMinute: number,
    readonly perDay: number,
    /** A shortened credit minute for tests, measured on the wall clock (the simulated one may be frozen). */
    private readonly shortMinute?: { ms: number; now: () => number },
  ) {}

  private roll(now: number): void {
    const minute = this.shortMinute ? Math.floor(this.shortMinute.now() / this.shortMinute.ms) : Math.floor(now / MINUTE_MS);
    const day = Math.floor(now / DAY_MS);
    if (minute !== this.minuteKey) {
      this.minuteKey = minute;
      this.minuteUsed = 0;
    }
    if (day !== this.dayKey) {
      this.dayKey = day;
      this.dayUsed = 0;
    }
  }

  usage(now: number): { minute: number; day: number } {
    this.roll(now);
    return { minute: this.minuteUsed, day: this.dayUsed };
  }

  /**
   * Which budget a request costing `cost` would overrun, day first because it is the one a client
   * cannot wait out within the minute. `forced` simulates an already exhausted budget.
   */
  shortfall(now: number, cost: number, forced: { minute: boolean; day: boolean }): Shortfall | null {
    this.roll(now);
    const day = forced.day ? Math.max(this.dayUsed, this.perDay) : this.dayUsed;
    if (day + cost > this.perDay) return { limit: 'day', wouldUse: day + cost };
    const minute = forced.minute ? Math.max(this.minuteUsed, this.perMinute) : this.minuteUsed;
    if (minute + cost > this.perMinute) return { limit: 'minute', wouldUse: minute + cost };
    return null;
  }

  charge(now: number, cost: number): void {
    this.roll(now);
    this.minuteUsed += cost;
    this.dayUsed += cost;
  }

  /** The `api-credits-used` / `api-credits-left` pair, describing the current minute. */
  headers(now: number): Record<string, string> {
    this.roll(now);
    return {
      'api-credits-used': String(this.minuteUsed),
      'api-credits-left': String(Math.max(0, this.perMinute - this.minuteUsed)),
    };
  }
}
