// Build and boot a lab from YAML text (whole-lab tests).
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';

export function bootLab(yaml: string, opts: { trace?: boolean } = {}): LabRunner {
  const r = new LabRunner(parseLab(yaml, 'test.lab.yaml'), opts);
  r.boot();
  return r;
}

/** Two hosts on one segment, 10.0.0.1 and 10.0.0.2, with extra boot lines. */
export function pairLab(extra: string[] = []): string {
  const ex = extra.map((l) => `      - ${l}`).join('\n');
  return `version: 1
name: pair
hosts:
  a:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
${ex}
  b:
    exec:
      - ip addr add 10.0.0.2/24 dev eth0
links:
  - endpoints: [a:eth0, b:eth0]
`;
}
