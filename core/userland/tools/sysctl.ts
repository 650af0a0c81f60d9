// procps-ng sysctl: read, write (-w or name=value), -n, -q, -e, -a, prefixes.
// Messages and exit codes as measured (see kernel/sysctl.ts).
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err } from './util.js';
import { formatSysctlLine, sysctlDotted } from '../../kernel/sysctl.js';
import { SYSCTL_USAGE } from './usage.js';

export function* sysctl(p: Proc): ProgramGen {
  const net = kernel(p);
  let write = false;
  let valuesOnly = false;
  let quiet = false;
  let ignore = false;
  let all = false;
  const names: string[] = [];
  for (const a of p.argv.slice(1)) {
    if (a.startsWith('-') && a.length > 1 && !a.includes('=')) {
      for (const f of a.slice(1)) {
        if (f === 'w') write = true;
        else if (f === 'n') valuesOnly = true;
        else if (f === 'q') quiet = true;
        else if (f === 'e') ignore = true;
        else if (f === 'a' || f === 'A' || f === 'X') all = true;
        else {
          // getopt's complaint, then Usage(stdout), which exits with success.
          err(p, `sysctl: invalid option -- '${f}'\n`);
          out(p, SYSCTL_USAGE);
          return 0;
        }
      }
    } else names.push(a);
  }
  if (all) {
    for (const [n, v] of net.sysctl.list('')) out(p, valuesOnly ? v + '\n' : formatSysctlLine(n, v) + '\n');
    return 0;
  }
  if (!names.length) {
    err(p, SYSCTL_USAGE); // Usage(stderr)
    return 1;
  }
  let rc = 0;
  for (const arg of names) {
    const eq = arg.indexOf('=');
    if (write || eq >= 0) {
      if (eq < 0) {
        err(p, 'sysctl: command line(0): invalid syntax, continuing...\n');
        rc = 1;
        continue;
      }
      const name = sysctlDotted(arg.slice(0, eq).trim());
      const value = arg.slice(eq + 1).trim();
      if (!net.sysctl.has(name)) {
        if (!ignore) {
          err(p, `sysctl: cannot stat /proc/sys/${name.replace(/\./g, '/')}: No such file or directory\n`);
          rc = 1;
        }
        continue;
      }
      const e = net.sysctl.set(name, value);
      if (e) {
        const ro = e === 'Permission denied';
        err(p, `sysctl: setting key "${name}": ${ro ? 'Invalid argument' : e}\n`);
        if (!ro) rc = 1;
        continue;
      }
      if (!quiet) out(p, valuesOnly ? value + '\n' : formatSysctlLine(name, value) + '\n');
      continue;
    }
    const name = sysctlDotted(arg);
    const v = net.sysctl.get(name);
    if (v === undefined) {
      const under = net.sysctl.list(name);
      if (under.length) {
        for (const [n, val] of under) out(p, valuesOnly ? val + '\n' : formatSysctlLine(n, val) + '\n');
        continue;
      }
      if (!ignore) {
        err(p, `sysctl: cannot stat /proc/sys/${name.replace(/\./g, '/')}: No such file or directory\n`);
        rc = 1;
      }
      continue;
    }
    if (net.sysctl.spec(name)?.wo) continue;
    out(p, valuesOnly ? v + '\n' : formatSysctlLine(name, v) + '\n');
  }
  return rc;
}
