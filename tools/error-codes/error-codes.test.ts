import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesIn, codesInPackages, documentedCodes, undocumented } from './scan-error-codes.ts';

const root = resolve(import.meta.dirname, '../..');
const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');

describe('docs/errors.md documents every error code the packages construct', () => {
  it('has an anchor for each code found in packages/*/src', () => {
    const missing = undocumented(codesInPackages(root), documentedCodes(docs));
    expect(missing, 'add a "## CODE" section to docs/errors.md for each').toEqual([]);
  });

  it('finds codes in each shape they are constructed in (so an empty scan cannot pass)', () => {
    const codes = new Set(codesInPackages(root).map((f) => f.code));
    for (const code of [
      'CONFIGURATION_ERROR', // super('X', ...)
      'VALIDATION_ERROR', // options?.code ?? 'X'
      'BAD_ADDRESS', // { code: 'X' }
      'CLI_USAGE', // { code: USAGE } with const USAGE = 'X'
      'INBOX_ACCESS_DENIED',
      'INBOX_NOT_FOUND',
    ]) {
      expect(codes, code).toContain(code);
    }
  });

  it('reports a constructed code that has no anchor', () => {
    const source = [
      "throw new ValidationError('x', { code: 'NOT_IN_THE_DOCS' });",
      "const GONE = 'ALSO_MISSING';",
      'throw new ValidationError(message, { code: GONE });',
      "throw new SitemsgError('THIRD_MISSING', 'message');",
      "if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return;",
    ].join('\n');
    const missing = undocumented(codesIn('fake.ts', source), documentedCodes(docs)).map((f) => f.code);
    expect(missing).toEqual(['NOT_IN_THE_DOCS', 'THIRD_MISSING', 'ALSO_MISSING']);
  });
});
