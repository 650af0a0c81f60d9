import { LabSession } from '../node/web/handler.js';
import { makeRunner } from '../node/web/runner.js';
const s = new LabSession(makeRunner);
await s.openFile('labs/router-chain.lab.yaml');
await s.handle({ type: 'start' });
await s.handle({ type: 'run', host: 'h1', line: 'ping -c 1 10.0.2.2' });
const t = await s.handle({ type: 'trace' });
const r1 = t.records.filter((x) => x.host === 'r1');
console.log(r1.map((x) => x.fn + (x.info ? '(' + String(x.info).slice(0, 60) + ')' : '')).join('\n'));
