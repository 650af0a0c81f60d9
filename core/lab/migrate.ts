// Lab files from older versions of the format are read by migrating their
// YAML node tree, one version at a time, up to the current one before the
// reader validates it. Migrations rename and reshape nodes in place, so
// positions in messages still point into the file as written; the file on
// disk is never rewritten (saving writes the current version).
//
// Version 0 (the format's draft): the hosts were called `nodes`.
import { isMap, isScalar } from 'yaml';
import type { YAMLMap } from 'yaml';

/** The version this StackLab reads and writes. */
export const LAB_VERSION = 1;
/** The oldest version a migration path exists from. */
export const OLDEST_LAB_VERSION = 0;

/** One step: turns a version `from` document into version `from + 1`;
 * returns what it changed, for the warnings. */
type Migration = (root: YAMLMap) => string[];

const MIGRATIONS: Record<number, Migration> = {
  0: (root) => {
    const out: string[] = [];
    for (const p of root.items) {
      if (isScalar(p.key) && p.key.value === 'nodes') {
        if (root.items.some((q) => isScalar(q.key) && q.key.value === 'hosts')) continue; // both: the reader reports 'nodes'
        p.key.value = 'hosts';
        out.push("'nodes' is now 'hosts'");
      }
    }
    return out;
  },
};

/** Whether `v` is an older version this StackLab can migrate. */
export function canMigrate(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= OLDEST_LAB_VERSION && v < LAB_VERSION;
}

/**
 * Migrate the document whose top-level mapping is `root` from version `from`
 * to LAB_VERSION, in place (the `version` scalar included). Returns one line
 * per change made, each as "version N: ...".
 */
export function migrateLab(root: unknown, from: number): string[] {
  if (!isMap(root) || !canMigrate(from)) return [];
  const notes: string[] = [];
  for (let v = from; v < LAB_VERSION; v++) {
    for (const n of MIGRATIONS[v](root)) notes.push(`version ${v}: ${n}`);
  }
  for (const p of root.items) if (isScalar(p.key) && p.key.value === 'version' && isScalar(p.value)) p.value.value = LAB_VERSION;
  return notes;
}
