import fc from 'fast-check';
import { line } from './shgen.ts';
console.error('start');
const samples = fc.sample(fc.array(line, { minLength: 1, maxLength: 5 }), { seed: 0x5e11, numRuns: 3 });
console.error('sampled', samples.length);
