import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabSession, respond } from './handler.js';
import { makeRunner } from './runner.js';

const LAB = path.resolve(import.meta.dirname, '../../labs/router-chain.lab.yaml');
let dir: string;
let session: LabSession;
const call = (id: number, req: unknown) => respond(session, { v: 1, id, req });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stacklab-handler-'));
  session = new LabSession(makeRunner, { cwd: dir });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('respond', () => {
  it('answers bad messages with an error, never a throw', async () => {
    expect(await respond(session, 'nonsense')).toMatchObject({ ok: false, id: 0, error: 'message must be an object' });
    expect(await call(4, { type: 'launch' })).toMatchObject({ ok: false, id: 4, error: expect.stringContaining('unknown request type') });
    expect(await call(5, { type: 'getLab' })).toMatchObject({ ok: false, id: 5, error: 'no lab is open' });
    expect(await call(6, { type: 'open', path: 'missing.lab.yaml' })).toMatchObject({ ok: false, error: expect.stringContaining('ENOENT') });
  });

  it('reports lab errors with file:line:col', async () => {
    await writeFile(path.join(dir, 'bad.lab.yaml'), 'version: 1\nhosts:\n  H1: {}\n');
    const r = await call(1, { type: 'open', path: 'bad.lab.yaml' });
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^bad\.lab\.yaml:3:3: /) });
  });

  it('opens, starts, runs, traces and stops', async () => {
    const o = await call(1, { type: 'open', path: LAB });
    expect(o).toMatchObject({ ok: true, result: { path: LAB, running: false, lab: { name: 'router-chain' } } });
    expect(await call(2, { type: 'run', host: 'h1', line: 'echo x' })).toMatchObject({ ok: false, error: expect.stringContaining('not running') });
    expect(await call(3, { type: 'start' })).toMatchObject({ ok: true, result: { running: true } });
    expect(await call(4, { type: 'run', host: 'zz', line: 'echo x' })).toMatchObject({ ok: false, error: "no host named 'zz'" });
    const run = await call(5, { type: 'run', host: 'h1', line: 'ping -c 1 10.0.2.2' });
    expect(run).toMatchObject({ ok: true, result: { result: { exit: 0, stdout: expect.stringContaining('1 received') } } });
    const tr = await call(6, { type: 'trace' });
    const records = (tr as { result: { records: { host: string; fn: string }[] } }).result.records;
    expect(records.some((r) => r.host === 'r1' && r.fn === 'ip_forward')).toBe(true);
    const again = await call(7, { type: 'trace' });
    expect((again as { result: { records: unknown[] } }).result.records).toEqual([]);
    expect(await call(8, { type: 'stop' })).toMatchObject({ ok: true, result: { running: false } });
  });

  it('runs background lines and lets 300 ms pass', async () => {
    await call(1, { type: 'open', path: LAB });
    await call(2, { type: 'start' });
    const before = ((await call(3, { type: 'trace' })) as { result: { now: number } }).result.now;
    const r = await call(4, { type: 'run', host: 'h1', line: 'ping -c 3 -i 0.2 10.0.2.2', background: true });
    expect(r).toMatchObject({ ok: true, result: { result: { exit: 0 } } });
    expect((r as { result: { now: number } }).result.now - before).toBeGreaterThanOrEqual(300_000_000);
  });

  it('boot failures name the host and command', async () => {
    const text = (await readFile(LAB, 'utf8')).replace('ip route add default via 10.0.2.1', 'ip route add default via 10.9.9.9');
    await call(1, { type: 'openText', text, name: 'x.lab.yaml' });
    const r = await call(2, { type: 'start' });
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('h2') });
    expect((r as { error: string }).error).toContain('ip route add default via 10.9.9.9');
  });

  it('saves atomically and refuses text that does not parse', async () => {
    await call(1, { type: 'open', path: LAB });
    const text = (await readFile(LAB, 'utf8')).replace('name: router-chain', 'name: saved');
    const r = await call(2, { type: 'save', path: 'out.lab.yaml', text });
    expect(r).toMatchObject({ ok: true, result: { path: path.join(dir, 'out.lab.yaml'), lab: { name: 'saved' } } });
    expect(await readFile(path.join(dir, 'out.lab.yaml'), 'utf8')).toBe(text);
    expect(await call(3, { type: 'save', path: 'out.lab.yaml', text: 'version: 3\n' })).toMatchObject({ ok: false });
    expect(await readFile(path.join(dir, 'out.lab.yaml'), 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['out.lab.yaml']); // no temp files left
  });

  it('edit replaces the text but keeps the file', async () => {
    await call(1, { type: 'open', path: LAB });
    const text = (await readFile(LAB, 'utf8')).replace('cpus: 2', 'cpus: 4');
    const r = await call(2, { type: 'edit', text });
    expect(r).toMatchObject({ ok: true, result: { path: LAB, text, lab: { hosts: [{}, { cpus: 4 }, {}] } } });
  });
});
