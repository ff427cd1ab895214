import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No module may import itself through others: a cycle makes evaluation order depend on which file
 * is loaded first (a value read before its module ran is undefined), and it ties modules that should
 * have one job each. `import type` and `export type` are left out: verbatimModuleSyntax erases them, so they
 * cannot change what runs first (a dashboard module may name the type of the one that lazily loads it).
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['functions', 'server', 'simulator', 'scripts', 'web/src', 'test'];
const EXTENSIONS = ['.ts', '.tsx'];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

// `import … from '…'`, `export … from '…'` (not their `type` forms), bare `import '…'` and `import('…')`;
// comments are stripped first.
const SPECIFIER =
  /(?:\bimport|\bexport)\s+(?!type\s)[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function relativeImports(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const targets: string[] = [];
  for (const match of code.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (!specifier?.startsWith('.')) continue;
    targets.push(path.normalize(path.join(path.dirname(file), specifier)));
  }
  return targets;
}

/** Strongly connected components of more than one module, or a module importing itself (Tarjan). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];

  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || graph.get(node)?.includes(node)) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

describe('import graph', () => {
  it('finds a cycle when there is one, and none in a chain (the walker itself)', () => {
    // Built at run time, so this file's own text holds no import of these made-up paths.
    const sample = (dir: string) => [
      `import { y } from '${dir}/y.ts';`,
      `export * from '${dir}/../b/z.ts';`,
      `// import '${dir}/not.ts'`,
      `import type { T } from '${dir}/types.ts';`,
      `const m = import('${dir}/w.ts');`,
    ];
    expect(relativeImports('a/x.ts', sample('.').join('\n'))).toEqual([
      path.normalize('a/y.ts'),
      path.normalize('b/z.ts'),
      path.normalize('a/w.ts'),
    ]);
    const chain = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(findCycles(chain)).toEqual([]);
    const loop = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
    ]);
    expect(findCycles(loop)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it("has no cycles among the project's TypeScript modules", () => {
    const files = SOURCE_DIRS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const graph = new Map(files.map((file) => [file, relativeImports(file, readFileSync(path.join(ROOT, file), 'utf8'))]));
    // Every relative import resolves to a source file, so the walk sees the whole graph.
    const unresolved = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !graph.has(t) && EXTENSIONS.some((ext) => t.endsWith(ext))).map((t) => `${file} -> ${t}`),
    );
    expect(unresolved).toEqual([]);
    expect(findCycles(graph)).toEqual([]);
  });
});
