// Shows how the simulator differs from the kernel for one recorded case:
//   npx tsx test/oracle/diff.ts NAME [CHECK...]     (CHECK numbers are 1-based)
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { casesIn, runCase, SHARED_ORACLE } from '../support/oracle.js';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...want] = process.argv.slice(2);
const all = [...casesIn(join(SHARED_ORACLE, 'cases'), join(SHARED_ORACLE, 'expected')), ...casesIn(join(here, 'cases'), join(here, 'expected'))];
const c = all.find((x) => x.name === name || x.name.startsWith(name));
if (!c) throw new Error(`no case ${name}`);
const { checks, bootError } = runCase(c);
if (bootError) console.log('boot failed:', bootError);
checks.forEach((ch, i) => {
  if (want.length && !want.includes(String(i + 1))) return;
  if (ch.expected === ch.actual) return;
  console.log(`### check ${i + 1}: ${ch.run}\n--- kernel\n${ch.expected}\n--- simulator\n${ch.actual}\n`);
});
