// Grading one check's result against its `expect`, as the spec describes.
import type { CommandResult, LabCheckExpect } from '../bridge/protocol.js';

export interface CheckVerdict {
  /** undefined when the check has no expect (it only runs). */
  pass?: boolean;
  reasons: string[];
}

export function judge(expect: LabCheckExpect | undefined, r: CommandResult): CheckVerdict {
  if (!expect) return { reasons: [] };
  const reasons: string[] = [];
  if (expect.exit !== undefined && r.exit !== expect.exit) reasons.push(`exit ${r.exit}, expected ${expect.exit}`);
  if (expect.stdout_contains !== undefined && !r.stdout.includes(expect.stdout_contains)) {
    reasons.push(`stdout lacks "${expect.stdout_contains}"`);
  }
  if (expect.stdout_matches !== undefined) {
    try {
      if (!new RegExp(expect.stdout_matches, 'm').test(r.stdout)) reasons.push(`stdout does not match /${expect.stdout_matches}/`);
    } catch {
      reasons.push(`bad regular expression /${expect.stdout_matches}/`);
    }
  }
  return { pass: reasons.length === 0, reasons };
}
