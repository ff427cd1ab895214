import { describe, expect, test } from 'vitest';
import { formatAgo, formatNumber, formatPct, formatPrice, formatVolume } from '../../web/src/format.ts';

const en = 'en-US';

describe('formatPrice', () => {
  test('uses the currency when it is an ISO code', () => {
    expect(formatPrice(189.5, 'USD', en)).toBe('$189.50');
    expect(formatPrice(64123.456, 'USD', en)).toBe('$64,123.46');
  });

  test('shows more decimals for sub-dollar prices', () => {
    expect(formatPrice(0.5, null, en)).toBe('0.5000');
    expect(formatPrice(0.00001234, null, en)).toBe('0.00001234');
  });

  test('appends a currency name that is not an ISO code instead of failing', () => {
    expect(formatPrice(1.25, 'US Dollar', en)).toBe('1.25 US Dollar');
    expect(formatPrice(1.25, null, en)).toBe('1.25');
  });
});

describe('formatNumber / formatPct / formatVolume', () => {
  test('decimals follow the size of the number, or the digits asked for', () => {
    expect(formatNumber(64_123.456, undefined, 'en-US')).toBe('64,123.46');
    expect(formatNumber(0.012345, undefined, 'en-US')).toBe('0.0123');
    expect(formatNumber(136_000, 0, 'en-US')).toBe('136,000');
  });

  test('percent changes carry their sign; unknown is a dash', () => {
    expect(formatPct(1.234, 'en-US')).toBe('+1.23%');
    expect(formatPct(-0.4, 'en-US')).toBe('-0.40%');
    expect(formatPct(0, 'en-US')).toBe('0.00%');
    expect(formatPct(null, 'en-US')).toBe('—');
  });

  test('volume is compact', () => {
    expect(formatVolume(1_234_567, 'en-US')).toBe('1.2M');
  });
});

describe('formatAgo', () => {
  const t = Date.parse('2026-08-23T14:00:00.000Z');
  test('rounds down to the largest whole unit', () => {
    expect(formatAgo('2026-08-23T13:59:30.000Z', t)).toBe('just now');
    expect(formatAgo('2026-08-23T13:48:00.000Z', t)).toBe('12 min ago');
    expect(formatAgo('2026-08-23T11:00:00.000Z', t)).toBe('3 h ago');
    expect(formatAgo('2026-08-20T14:00:00.000Z', t)).toBe('3 d ago');
  });
});
