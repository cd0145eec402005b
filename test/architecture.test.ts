import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The boundaries in DESIGN.md are enforced by lint rules; these tests prove the rules really fire.
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('architecture boundaries', () => {
  it('src/core may not import Node modules', async () => {
    expect(await ruleIds(`import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n`, 'src/core/x.ts'))
      .toEqual(['no-restricted-imports']);
  });

  it('src/core may not import browser, UI or sidecar code', async () => {
    expect(await ruleIds(`import { a } from '../browser/worker.js';\nexport const b = a;\n`, 'src/core/x.ts'))
      .toEqual(['no-restricted-imports']);
    expect(await ruleIds(`import { a } from '../../sidecar/src/main.js';\nexport const b = a;\n`, 'src/core/x.ts'))
      .toEqual(['no-restricted-imports']);
    expect(await ruleIds(`import React from 'react';\nexport const b = React;\n`, 'src/core/x.ts'))
      .toEqual(['no-restricted-imports']);
  });

  it('src/core may not touch host globals such as timers, process or the DOM', async () => {
    expect(await ruleIds(`export const t = setTimeout;\n`, 'src/core/x.ts')).toEqual(['no-restricted-globals']);
    expect(await ruleIds(`export const p = process.argv;\n`, 'src/core/x.ts')).toEqual(['no-restricted-globals']);
    expect(await ruleIds(`export const d = document.body;\n`, 'src/core/x.ts')).toEqual(['no-restricted-globals']);
  });

  it('the UI may use the engine API and RPC client, not engine internals', async () => {
    expect(await ruleIds(`import { p } from '../core/picker/picker.js';\nexport const x = p;\n`, 'src/ui/x.ts'))
      .toEqual(['no-restricted-imports']);
    expect(await ruleIds(`import { w } from '../browser/engine/worker.js';\nexport const x = w;\n`, 'src/ui/x.ts'))
      .toEqual(['no-restricted-imports']);
    expect(await ruleIds(`import { api } from '../core/api/index.js';\nexport const x = api;\n`, 'src/ui/x.ts')).toEqual([]);
    expect(await ruleIds(`import { c } from '../browser/client/index.js';\nexport const x = c;\n`, 'src/ui/x.ts')).toEqual([]);
  });

  it('the sidecar may use Node modules', async () => {
    expect(await ruleIds(`import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n`, 'sidecar/src/x.ts')).toEqual([]);
  });
});

describe('architecture boundaries: exact names', () => {
  it('does not mistake core\'s own util folder for Node\'s util module', async () => {
    expect(await ruleIds(`import { toHex } from '../util/hex.js';\nexport const h = toHex;\n`, 'src/core/wire/x.ts')).toEqual([]);
    expect(await ruleIds(`import { inspect } from 'util';\nexport const i = inspect;\n`, 'src/core/x.ts')).toEqual(['no-restricted-imports']);
    expect(await ruleIds(`import { pipeline } from 'stream/promises';\nexport const p = pipeline;\n`, 'src/core/x.ts')).toEqual(['no-restricted-imports']);
  });
});
