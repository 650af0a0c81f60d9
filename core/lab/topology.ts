// The parsed, validated form of a lab file (../shared/spec/lab-format.md).
// Everything downstream (hosts, fabric, exports, the app) reads this, never
// the raw YAML.

export interface NicSpec {
  /** Number of RX/TX queue pairs (combined channels). */
  queues: number;
  rx_ring: number;
  tx_ring: number;
  mtu: number;
  /** Colon-separated lower-case MAC. */
  mac: string;
}

export interface HostSpec {
  name: string;
  /** 0-based position in the file's `hosts` map. */
  index: number;
  cpus: number;
  /** Interfaces in ifindex order (2, 3, ...): the order links name them. */
  ifaces: { name: string; nic: NicSpec }[];
  exec: string[];
  /** Source positions of exec lines, for error messages. */
  execPos?: SourcePos[];
}

export interface Endpoint {
  host: string;
  ifname: string;
}

export interface LinkSpec {
  endpoints: [Endpoint, Endpoint];
  /** One-way propagation delay, ns (0 when not given). */
  delayNs: number;
  /** Line rate in bits per second; 0 means not limited by the lab. */
  rateBps: number;
  /** Loss in percent, 0..100. */
  lossPct: number;
}

export interface CheckExpect {
  exit?: number;
  stdout_contains?: string;
  stdout_matches?: string;
}

export interface CheckSpec {
  host: string;
  run: string;
  background?: boolean;
  expect?: CheckExpect;
  /** Exercise grading (docs/exercises.md): what the check tests, a hint
   * shown when it fails, its weight (default 1), and whether students see it. */
  title?: string;
  hint?: string;
  points?: number;
  hidden?: boolean;
}

/** The optional `exercise` block: a lab file that grades student labs. */
export interface ExerciseSpec {
  title: string;
  /** What the student has to do (free text, Markdown). */
  tasks: string;
  /** Host names whose definition students may not change, or 'links'. */
  locked: string[];
}

export interface SourcePos {
  line: number;
  col: number;
}

export interface Topology {
  version: 1;
  name: string;
  description: string;
  seed: number;
  hosts: HostSpec[];
  links: LinkSpec[];
  checks: CheckSpec[];
  /** Non-fatal findings (e.g. overlapping addresses), as file:line:col: message. */
  warnings: string[];
  exercise?: ExerciseSpec;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_NIC: Omit<NicSpec, 'mac'> = { queues: 1, rx_ring: 256, tx_ring: 256, mtu: 1500 };

/** Default MAC of the n-th interface (1-based) of the k-th host (1-based). */
export function defaultMac(hostIndex1: number, ifaceIndex1: number): string {
  const h = (x: number) => x.toString(16).padStart(2, '0');
  return `02:00:00:00:${h(hostIndex1)}:${h(ifaceIndex1)}`;
}

/** An error in a lab file, reported as file:line:col: message. */
export class LabError extends Error {
  constructor(
    public file: string,
    public line: number,
    public col: number,
    public detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
  }
}
