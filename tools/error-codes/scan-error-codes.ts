/**
 * Finds the error codes the packages construct, so a test can hold docs/errors.md to them: a code
 * that users can catch must have its anchor there. It reads source text, not types, on purpose:
 * codes are string literals passed at construction, in a handful of shapes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CODE = '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+';
/** `{ code: 'X' }`, `options?.code ?? 'X'`, `super('X', ...)`, `new SomethingError('X', ...)`. */
const LITERAL_SHAPES: readonly RegExp[] = [
  new RegExp(String.raw`\bcode\s*:\s*(['"\`])(${CODE})\1`, 'g'),
  new RegExp(String.raw`\bcode\s*\?\?\s*(['"\`])(${CODE})\1`, 'g'),
  new RegExp(String.raw`\bsuper\(\s*(['"\`])(${CODE})\1\s*,`, 'g'),
  new RegExp(String.raw`\bnew\s+\w*Error\(\s*(['"\`])(${CODE})\1\s*,`, 'g'),
];
/** `{ code: USAGE }` with `const USAGE = 'CLI_USAGE'` in the same file. */
const CODE_IDENTIFIER = /\bcode\s*:\s*([A-Z][A-Z0-9_]*)\b/g;

export interface FoundCode {
  readonly code: string;
  readonly file: string;
}

/** The codes one source file constructs. */
export function codesIn(file: string, source: string): FoundCode[] {
  const found: FoundCode[] = [];
  for (const shape of LITERAL_SHAPES) {
    for (const match of source.matchAll(shape)) found.push({ code: match[2]!, file });
  }
  for (const match of source.matchAll(CODE_IDENTIFIER)) {
    const constant = new RegExp(String.raw`\bconst\s+${match[1]}\s*(?::\s*\w+\s*)?=\s*(['"\`])(${CODE})\1`);
    const value = constant.exec(source)?.[2];
    if (value !== undefined) found.push({ code: value, file });
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every code constructed under packages/<name>/src. */
export function codesInPackages(root: string): FoundCode[] {
  const packages = join(root, 'packages');
  return readdirSync(packages)
    .map((name) => join(packages, name, 'src'))
    .filter((src) => statSync(src, { throwIfNoEntry: false })?.isDirectory())
    .flatMap(sourceFiles)
    .flatMap((file) => codesIn(file.slice(root.length + 1), readFileSync(file, 'utf8')));
}

/** The codes docs/errors.md has an anchor for: one `## CODE` heading each. */
export function documentedCodes(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(new RegExp(`^##\\s+(${CODE})\\s*$`, 'gm'))].map((m) => m[1]!));
}

/** Constructed codes without an anchor, each with the first file that constructs it. */
export function undocumented(found: readonly FoundCode[], documented: ReadonlySet<string>): FoundCode[] {
  const seen = new Set<string>();
  return found.filter(({ code }) => !documented.has(code) && !seen.has(code) && seen.add(code));
}
