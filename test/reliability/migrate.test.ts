// Lab file versions: an older file is migrated in memory (core/lab/migrate.ts)
// and means what its current-version twin means; a newer one is refused;
// opening either never writes to the file.
import { readFileSync, statSync, writeFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { LabError } from '../../core/lab/topology.js';
import { LAB_VERSION, canMigrate, migrateLab } from '../../core/lab/migrate.js';
import { parseDocument } from 'yaml';
import { LabSession } from '../../node/web/handler.js';
import { makeRunner } from '../../node/web/runner.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';

const FIX = new URL('./fixtures/migrate/', import.meta.url).pathname;
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');

describe('migration', () => {
  test('version 0 (nodes:) reads as version 1 (hosts:), with a warning at the version', () => {
    const old = parseLab(read('v0-router-chain.lab.yaml'), 'v0.lab.yaml');
    const cur = parseLab(read('v1-router-chain.lab.yaml'), 'v1.lab.yaml');
    expect(old.warnings).toEqual(["v0.lab.yaml:2:10: warning: migrated from lab version 0: 'nodes' is now 'hosts'"]);
    expect({ ...old, warnings: [] }).toEqual({ ...cur, warnings: [], hosts: old.hosts });
    // Same hosts, except where their exec lines sit in the file (one comment line more).
    expect(old.hosts.map((h) => ({ ...h, execPos: undefined }))).toEqual(cur.hosts.map((h) => ({ ...h, execPos: undefined })));
    expect(old.hosts[0].execPos![0]).toEqual({ line: 7, col: 9 });
  });

  test('the migrated lab runs like the current one', () => {
    const run = (f: string) => {
      const r = new LabRunner(parseLab(read(f), f));
      r.boot();
      return r.runChecks().map((c) => c.pass);
    };
    expect(run('v0-router-chain.lab.yaml')).toEqual([true]);
    expect(run('v0-router-chain.lab.yaml')).toEqual(run('v1-router-chain.lab.yaml'));
  });

  test('errors in a migrated file still point into the file as written', () => {
    const bad = read('v0-router-chain.lab.yaml').replace('[h1:eth0, r1:eth0]', '[h1:eth0, r9:eth0]');
    expect(() => parseLab(bad, 'v0.lab.yaml')).toThrow("v0.lab.yaml:19:26: unknown host 'r9' in endpoint 'r9:eth0'");
  });

  test('a file with both nodes and hosts is not guessed at', () => {
    expect(() => parseLab('version: 0\nnodes: {}\nhosts: {}\n', 'x.lab.yaml')).toThrow("x.lab.yaml:2:1: unknown field 'nodes'");
  });

  test('only known older versions migrate', () => {
    expect([0, 1, 2, -1, 0.5, '0', null].map(canMigrate)).toEqual([true, false, false, false, false, false, false]);
    const doc = parseDocument('version: 0\nnodes: {}\n');
    expect(migrateLab(doc.contents, 0)).toEqual(["version 0: 'nodes' is now 'hosts'"]);
    expect(doc.toString()).toBe(`version: ${LAB_VERSION}\nhosts: {}\n`);
  });

  test('a newer version is refused', () => {
    let e: unknown;
    try {
      parseLab(read('v2-future.lab.yaml'), 'v2.lab.yaml');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(LabError);
    expect((e as Error).message).toBe('v2.lab.yaml:1:10: unsupported lab version 2 (this StackLab reads version 1)');
  });
});

describe('opening never writes', () => {
  const copy = (f: string) => {
    const d = mkdtempSync(join(tmpdir(), 'stacklab-open-'));
    copyFileSync(join(FIX, f), join(d, f));
    return join(d, f);
  };
  const snap = (p: string) => ({ text: readFileSync(p, 'utf8'), mtime: statSync(p).mtimeMs });

  test('an old file opens migrated; the file keeps version 0', async () => {
    const p = copy('v0-router-chain.lab.yaml');
    const before = snap(p);
    const s = new LabSession(makeRunner);
    const doc = await s.openFile(p);
    expect(doc.text).toBe(before.text); // the editor shows the file as it is
    expect(doc.lab.hosts.map((h: { name: string }) => h.name)).toEqual(['h1', 'r1', 'h2']);
    expect(snap(p)).toEqual(before);
  });

  test('a newer file is refused and left alone', async () => {
    const p = copy('v2-future.lab.yaml');
    const before = snap(p);
    const s = new LabSession(makeRunner);
    await expect(s.openFile(p)).rejects.toThrow('unsupported lab version 2');
    expect(snap(p)).toEqual(before);
  });

  test('importing text (openText) touches no file either', () => {
    const d = mkdtempSync(join(tmpdir(), 'stacklab-import-'));
    writeFileSync(join(d, 'keep.lab.yaml'), 'version: 1\n');
    const s = new LabSession(makeRunner, { cwd: d });
    s.openText(read('v0-router-chain.lab.yaml'), 'imported.lab.yaml');
    expect(snap(join(d, 'keep.lab.yaml')).text).toBe('version: 1\n');
  });
});
