#!/usr/bin/env node
// `npm start [-- LAB]`: the Electron app when its binary is installed,
// otherwise web mode in the browser of your choice.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from '../electron/find-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function run(cmd, argv, env = process.env) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', env });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
}

const bin = findElectronBinary();
if (bin) {
  if (!existsSync(path.join(root, 'build/electron/main.cjs')) || !existsSync(path.join(root, 'build/renderer/index.html'))) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  run(bin, ['.', ...args], env);
} else {
  console.log('Electron is not installed on this machine (no binary), so StackLab starts in web mode: open the URL below in a browser.');
  run(process.execPath, ['--import', 'tsx', 'node/web/server.ts', ...args]);
}
