import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utcFromWallMs, zoneOffsetMs } from '../functions/_shared/time.ts';
import { utcToWall, wallToUtc } from '../simulator/zone-oracle.ts';

/**
 * The shared time-zone module (ETL and dashboard) against the simulator's independent one: two
 * implementations built differently (wall-clock parts vs. longOffset names with bisection) must agree.
 */

const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo', 'UTC'];
const FROM = Date.parse('2000-01-01T00:00:00Z');
const TO = Date.parse('2040-01-01T00:00:00Z');

describe("functions/_shared/time.ts agrees with the simulator's zone oracle", () => {
  it('on the offset of any zone at any whole second', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM / 1000, max: TO / 1000 }), (zone, seconds) => {
        const utc = seconds * 1000;
        expect(zoneOffsetMs(utc, zone)).toBe(utcToWall(zone, utc) - utc);
      }),
      { numRuns: 2_000 },
    );
  });

  it('on the instant a wall clock denotes, including the repeated autumn hour (earlier instant)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM / 60_000, max: TO / 60_000 }), (zone, minutes) => {
        const wall = minutes * 60_000;
        const utc = utcFromWallMs(wall, zone);
        // A wall time in the spring gap exists in neither; elsewhere both must name the same instant.
        if (utcToWall(zone, utc) !== wall) return;
        expect(utc).toBe(wallToUtc(zone, wall));
      }),
      { numRuns: 2_000 },
    );
    // New York's 2026 autumn change: 01:30 happens twice; the earlier one is 05:30Z (EDT).
    expect(utcFromWallMs(Date.UTC(2026, 10, 1, 1, 30), 'America/New_York')).toBe(Date.parse('2026-11-01T05:30:00Z'));
    // The session open either side of the spring change.
    expect(utcFromWallMs(Date.UTC(2026, 2, 6, 9, 30), 'America/New_York')).toBe(Date.parse('2026-03-06T14:30:00Z'));
    expect(utcFromWallMs(Date.UTC(2026, 2, 9, 9, 30), 'America/New_York')).toBe(Date.parse('2026-03-09T13:30:00Z'));
  });
});
