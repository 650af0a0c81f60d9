// Prints the table frames as JSON {name: hex} for record-kernel.py.
import { MUTATIONS } from './mutations.js';
import { hex } from './frames.js';

const out: Record<string, string> = {};
for (const m of MUTATIONS) if (!m.noKernel) out[m.name] = hex(m.frame);
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
