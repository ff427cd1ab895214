import { describe, expect, test } from 'vitest';
import { csvFileName, rebasedCsv, SERIES_CSV_COLUMNS, seriesCsv, toCsv } from '../../web/src/csv.ts';
import { rebase } from '../../web/src/rebase.ts';
import { makeSeries, sec } from './helpers.ts';

/** A small RFC 4180 reader, so the tests check what a spreadsheet would read back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

/** The rows after the leading `#` comment lines, and those lines. */
function body(text: string): { comments: string[]; rows: string[][] } {
  const lines = text.split('\r\n');
  const comments = lines.filter((l) => l.startsWith('#'));
  return { comments, rows: parseCsv(lines.slice(comments.length).join('\r\n')) };
}

describe('toCsv', () => {
  test('CRLF rows; quotes fields with commas, quotes or line breaks; nulls are empty', () => {
    const text = toCsv(
      ['a', 'b'],
      [
        ['x,y', 'say "hi"'],
        ['line\nbreak', null],
        [1.5, -0],
      ],
    );
    expect(text).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n1.5,0\r\n');
    expect(parseCsv(text)).toEqual([
      ['a', 'b'],
      ['x,y', 'say "hi"'],
      ['line\nbreak', ''],
      ['1.5', '0'],
    ]);
  });
});

describe('seriesCsv', () => {
  test('one row per bar shown, every column, UTC times, full precision', () => {
    const s = makeSeries('BTC/USD', [
      [sec('2026-08-23T13:00:00Z'), 64_123.456789],
      [sec('2026-08-23T14:00:00Z'), 64_200.1],
    ]);
    s.volume = [null, 12.5];
    const { comments, rows } = body(seriesCsv(s, undefined, 'New York time (EDT)'));
    expect(comments.join('\n')).toMatch(/ISO 8601 in UTC \(the dashboard showed New York time \(EDT\)\)/);
    expect(rows[0]).toEqual([...SERIES_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    const at = (name: string) => SERIES_CSV_COLUMNS.indexOf(name as (typeof SERIES_CSV_COLUMNS)[number]);
    expect(rows[1]![at('time')]).toBe('2026-08-23T13:00:00.000Z');
    expect(rows[1]![at('symbol')]).toBe('BTC/USD');
    expect(rows[1]![at('close')]).toBe('64123.456789');
    expect(rows[1]![at('volume')]).toBe('');
    expect(rows[2]![at('volume')]).toBe('12.5');
    expect(rows[2]![at('sma_20')]).toBe('64200.6');
  });

  test('an empty series is just the header', () => {
    expect(body(seriesCsv(makeSeries('AAPL', []))).rows).toEqual([[...SERIES_CSV_COLUMNS]]);
  });
});

describe('rebasedCsv', () => {
  test('the comparison as drawn: percent change per symbol, empty where it has no bar, under a header that says so', () => {
    const r = rebase(
      [
        makeSeries('AAPL', [
          [3600, 100],
          [10_800, 110],
        ]),
        makeSeries('ETH/USD', [
          [3600, 10],
          [7200, 11],
          [10_800, 9],
        ]),
      ],
      new Map([
        ['AAPL', { baseTs: 3600, baseClose: 100, asOfTs: 10_800, close: 110 }],
        ['ETH/USD', { baseTs: 3600, baseClose: 10, asOfTs: 10_800, close: 9 }],
      ]),
    );
    const csv = rebasedCsv(r, '1W', 'New York time (EST)');
    expect(csv.split('\r\n')[2]).toBe("# time: the bar's open, ISO 8601 in UTC (the dashboard showed New York time (EST))");
    expect(csv.split('\r\n')[0]).toMatch(/^# Market Pulse comparison, range 1W: percent change/);
    const [header, ...rows] = parseCsv(csv).filter((row) => !row[0]!.startsWith('#'));
    expect(header).toEqual(['time_utc', 'AAPL', 'ETH/USD']);
    // 110/100 = +10 %; 11/10 = +10 %, 9/10 = −10 %; AAPL has no 02:00 bar.
    const cents = (v: string) => (v === '' ? '' : Number(v).toFixed(2));
    expect(rows.map(([t, ...vs]) => [t, ...vs.map(cents)])).toEqual([
      ['1970-01-01T01:00:00.000Z', '0.00', '0.00'],
      ['1970-01-01T02:00:00.000Z', '', '10.00'],
      ['1970-01-01T03:00:00.000Z', '10.00', '-10.00'],
    ]);
  });
});

describe('csvFileName', () => {
  test('names symbol, range and newest bar, without characters file systems refuse', () => {
    expect(csvFileName('BTC/USD', '1M', sec('2026-08-23T14:00:00Z'))).toBe('market-pulse_BTC-USD_1M_2026-08-23T1400.csv');
    expect(csvFileName('AAPL', 'All', undefined)).toBe('market-pulse_AAPL_All_empty.csv');
  });
});
