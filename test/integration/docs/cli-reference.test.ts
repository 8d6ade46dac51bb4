import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_DOC, renderCliDoc } from '../../docs/cli-reference';

describe('docs/cli.md', () => {
  it("holds every command's --help as the flag definitions print it (run: npx tsx test/docs/cli-reference.ts)", async () => {
    const current = fs.readFileSync(CLI_DOC, 'utf8');
    expect(current, 'docs/cli.md is out of date: npx tsx test/docs/cli-reference.ts rewrites its reference part').toBe(
      await renderCliDoc(current),
    );
  });
});
