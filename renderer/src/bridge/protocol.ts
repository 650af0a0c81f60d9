// The typed bridge protocol between the renderer and whoever runs the lab
// (the web server over WebSocket, or Electron main over IPC). Shared by both
// sides: no DOM, Node or Electron imports here, and no import of core/ (the
// renderer only ever sees these views of a lab).

export const PROTOCOL_VERSION = 1;

/** Limits on what a peer may send (checked by parseRequest). */
export const LIMITS = {
  text: 1 << 20, // lab text, bytes-ish (UTF-16 units)
  path: 4096,
  line: 4096,
  name: 256,
} as const;

export type NodeKind = 'host' | 'router' | 'switch';

export interface LabEndpoint {
  host: string;
  ifname: string;
}

export interface LabHostView {
  name: string;
  kind: NodeKind;
  cpus: number;
  /** Interface names in ifindex order. */
  ifaces: string[];
  exec: string[];
}

export interface LabLinkView {
  a: LabEndpoint;
  b: LabEndpoint;
  delayNs: number;
  rateBps: number;
  lossPct: number;
}

export interface LabCheckExpect {
  exit?: number;
  stdout_contains?: string;
  stdout_matches?: string;
}

export interface LabCheckView {
  host: string;
  run: string;
  background: boolean;
  expect?: LabCheckExpect;
}

/** What the renderer knows of a parsed lab. */
export interface LabView {
  name: string;
  description: string;
  seed: number;
  hosts: LabHostView[];
  links: LabLinkView[];
  checks: LabCheckView[];
  warnings: string[];
}

/** A lab document: its file (null when never saved), source text and parsed view. */
export interface LabDoc {
  path: string | null;
  text: string;
  lab: LabView;
}

export interface CommandResult {
  exit: number;
  stdout: string;
  stderr: string;
}

export interface TraceRecord {
  /** Virtual time, ns. */
  t: number;
  host: string;
  cpu: number;
  skb: number;
  fn: string;
  info?: string;
}

export interface SessionState {
  running: boolean;
  /** Virtual time, ns. */
  now: number;
}

// ---- live lab (issue #6): pacing, stepping, streaming, packets, internals

/** LiveLab's state as the app sees it. speed 0 means "as fast as possible". */
export interface LiveView {
  state: 'paused' | 'running' | 'closed';
  speed: number;
  /** Virtual time, ns. */
  now: number;
  windows: number;
  /** Wall ms the lab trails the asked pace (it cannot keep up). */
  behindMs: number;
  /** Kernel events run, all hosts (exact). */
  events: number;
  /** Positions step back can return to. */
  backSteps: number;
  /** Long work under way (a replay for step back), else absent. */
  busy?: string;
  /** Hosts whose host process died or hung, and why (absent: none). */
  down?: { host: string; message: string }[];
}

/** A captured frame, as the Wireshark-like list shows it. */
export interface PacketRow {
  /** 1-based frame number since the lab started. */
  no: number;
  t: number;
  host: string;
  dev: string;
  dir: 'in' | 'out' | '';
  skb: number;
  /** Capture point: netif_receive_skb (in) or net_dev_xmit (out). */
  fn: string;
  src: string;
  dst: string;
  proto: string;
  len: number;
  info: string;
}

/** One node of the decoded header tree; start/len index the frame bytes. */
export interface HeaderNode {
  label: string;
  start: number;
  len: number;
  children?: HeaderNode[];
}

/** sk_buff pointers at one trace point (offsets into the buffer; head is 0;
 * -1: header not set). */
export interface SkbLayout {
  data: number;
  tail: number;
  end: number;
  mac: number;
  network: number;
  transport: number;
}

export interface PathStep extends TraceRecord {
  layout?: SkbLayout;
}

export interface PacketDetail {
  row: PacketRow;
  tree: HeaderNode[];
  /** Frame bytes as lowercase hex. */
  hex: string;
  /** Every trace record of this skb on this host. */
  path: PathStep[];
  /** kfree_skb reason, when it was dropped. */
  drop: string | null;
}

/** Exact totals since start; `dropped*` were left out of batches under load. */
export interface LiveCounters {
  records: number;
  frames: number;
  droppedRecords: number;
  droppedPackets: number;
  batches: number;
}

/** One streamed batch (server -> renderer), acknowledged with `ack`. */
export interface LiveBatch {
  seq: number;
  live: LiveView;
  counters: LiveCounters;
  /** Sampled trace records (event list, animation), in trace order. */
  records: TraceRecord[];
  /** Sampled packet rows. */
  packets: PacketRow[];
  /** Terminal output: [terminal, command, 1 stdout | 2 stderr, text], never dropped. */
  term: [number, number, 1 | 2, string][];
  /** [terminal, command, exit status]; status -1: undone by step back. */
  exits: [number, number, number][];
  /** Step back rebuilt the run: rows after `frames` and records after `now` are gone. */
  rewind?: { frames: number; now: number };
  progress?: { what: string; done: number; total: number };
  /** Messages for the user since the last batch (a host went down, the lab stopped). */
  notices?: { level: 'error' | 'info'; text: string }[];
}

export interface PushEnvelope {
  v: typeof PROTOCOL_VERSION;
  push: LiveBatch;
}

/** Host internals (core/host/snapshot.ts builds it from the kernel objects). */
export interface HostInternals {
  host: string;
  now: number;
  events: number;
  outstanding: number;
  cpus: { id: number; ctx: string; user: number; system: number; irq: number; softirq: number; netRx: number; netTx: number; timer: number; ksoftirqdWakeups: number; ksoftirqdRunning: boolean; softirqPending: number; busyUntil: number; clock: number; ipiCalls: number; contextSwitches: number }[];
  softnet: { cpu: number; processed: number; dropped: number; time_squeeze: number; cpu_collision: number; received_rps: number; flow_limit_count: number; backlog: number; pollList: string[] }[];
  irqs: { irq: number; name: string; chip: string; counts: number[]; effectiveCpu: number; affinity: number }[];
  devices: {
    name: string;
    ifindex: number;
    kind: string;
    up: boolean;
    mtu: number;
    txqueuelen: number;
    stats: { rx_packets: number; tx_packets: number; rx_bytes: number; tx_bytes: number; rx_dropped: number; tx_dropped: number; rx_missed_errors: number; rx_fifo_errors: number };
    qdisc: { kind: string; qlen: number; limit: number; backlog: number; drops: number; requeues: number; packets: number } | null;
    nic: {
      rxRing: number;
      txRing: number;
      maxRing: number;
      minRing: number;
      combined: number;
      maxCombined: number;
      rx_missed_errors: number;
      queues: { index: number; rxUsed: number; txUsed: number; txStopped: boolean; irq: number; irqEnabled: boolean; napiPolls: number; napiScheduled: boolean; pollCpu: number; rx_packets: number; rx_bytes: number; rx_drops: number; tx_packets: number; tx_bytes: number; tx_restart: number }[];
    } | null;
  }[];
  sockets: { type: string; protocol: number; state: string; local: string; remote: string; owner: string; rxQueue: number; rmem: number; rcvbuf: number; wmem: number; sndbuf: number; drops: number }[];
  sysctls: { name: string; value: string }[];
  snmp: Record<string, number>;
  /** The OS process running this host (absent inline). */
  process?: { pid: number; hosts: string[] };
}

export interface ExportedFile {
  name: string;
  frames: number;
  /** File bytes, base64. */
  base64: string;
}

export const LIVE_OPS = ['play', 'pause', 'step', 'stepPacket', 'stepBack'] as const;
export type LiveOp = (typeof LIVE_OPS)[number];

export type Request =
  | { type: 'open'; path: string }
  | { type: 'openText'; text: string; name: string }
  | { type: 'edit'; text: string }
  | { type: 'getLab' }
  | { type: 'save'; path: string; text: string }
  | { type: 'start' }
  | { type: 'run'; host: string; line: string; background?: boolean }
  | { type: 'trace' }
  | { type: 'stop' }
  | { type: 'live'; op: LiveOp; host?: string; skb?: number }
  | { type: 'speed'; speed: number }
  | { type: 'exec'; host: string; line: string; term: number }
  | { type: 'input'; cmd: number; text: string | null }
  | { type: 'interrupt'; cmd: number }
  | { type: 'ack'; seq: number }
  | { type: 'pull' }
  | { type: 'packet'; no: number }
  | { type: 'snapshot'; host: string }
  | { type: 'export'; format: 'pcap' | 'pcapng'; perHook: boolean; host?: string }
  | { type: 'restartHost'; host: string }
  | { type: 'backups' }
  | { type: 'restoreBackup'; id: string }
  | { type: 'discardBackup'; id: string };

/** A crash backup of unsaved edits, found when the app started. */
export interface BackupInfo {
  id: string;
  /** The lab file it belongs to; null for a lab never saved. */
  path: string | null;
  /** When it was written (ms since the epoch). */
  savedAt: number;
  bytes: number;
}

export type RequestType = Request['type'];

export interface ResultMap {
  open: LabDoc & SessionState;
  openText: LabDoc & SessionState;
  edit: LabDoc & SessionState;
  getLab: LabDoc & SessionState;
  save: LabDoc & SessionState;
  start: SessionState;
  run: SessionState & { result: CommandResult };
  /** Records since the last trace request; `dropped` older ones did not fit. */
  trace: SessionState & { records: TraceRecord[]; dropped: number };
  stop: SessionState;
  live: SessionState & { live: LiveView };
  speed: SessionState & { live: LiveView };
  exec: SessionState & { cmd: number };
  input: SessionState;
  interrupt: SessionState;
  ack: SessionState;
  /** For a bridge without push (tests, an older preload): the next batch, or null. */
  pull: SessionState & { batch: LiveBatch | null };
  packet: PacketDetail;
  snapshot: HostInternals;
  export: { files: ExportedFile[]; lost: number };
  /** A down host's process started again from the lab. */
  restartHost: SessionState & { live: LiveView };
  backups: { backups: BackupInfo[] };
  /** The backup's text as an unsaved edit of its lab; savedText is the file as it is on disk (null: none). */
  restoreBackup: LabDoc & SessionState & { savedText: string | null };
  discardBackup: { backups: BackupInfo[] };
}

export type ResultOf<T extends RequestType> = ResultMap[T];

export interface RequestEnvelope {
  v: typeof PROTOCOL_VERSION;
  id: number;
  req: Request;
}

export type ResponseEnvelope =
  | { v: typeof PROTOCOL_VERSION; id: number; ok: true; result: unknown }
  | { v: typeof PROTOCOL_VERSION; id: number; ok: false; error: string };

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

// ---- validation of untrusted input

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function onlyKeys(o: Obj, keys: readonly string[], what: string): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new ProtocolError(`${what}: unexpected field '${k}'`);
  }
}

function str(o: Obj, key: string, max: number, what: string, nonEmpty = true): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ProtocolError(`${what}: '${key}' must be a string`);
  if (v.length > max) throw new ProtocolError(`${what}: '${key}' is longer than ${max}`);
  if (nonEmpty && v.length === 0) throw new ProtocolError(`${what}: '${key}' must not be empty`);
  if (v.includes('\0')) throw new ProtocolError(`${what}: '${key}' contains a NUL character`);
  return v;
}

/** The fields each request type carries (besides `type`). */
const REQUEST_FIELDS: { [K in RequestType]: readonly string[] } = {
  open: ['path'],
  openText: ['text', 'name'],
  edit: ['text'],
  getLab: [],
  save: ['path', 'text'],
  start: [],
  run: ['host', 'line', 'background'],
  trace: [],
  stop: [],
  live: ['op', 'host', 'skb'],
  speed: ['speed'],
  exec: ['host', 'line', 'term'],
  input: ['cmd', 'text'],
  interrupt: ['cmd'],
  ack: ['seq'],
  pull: [],
  packet: ['no'],
  snapshot: ['host'],
  export: ['format', 'perHook', 'host'],
  restartHost: ['host'],
  backups: [],
  restoreBackup: ['id'],
  discardBackup: ['id'],
};

export function isRequestType(t: unknown): t is RequestType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_FIELDS, t);
}

/** Check an untrusted value is a well-formed Request; throws ProtocolError. */
export function parseRequest(x: unknown): Request {
  if (!isObj(x)) throw new ProtocolError('request must be an object');
  const type = x.type;
  if (!isRequestType(type)) throw new ProtocolError(`unknown request type ${JSON.stringify(type)}`);
  const what = `request '${type}'`;
  onlyKeys(x, ['type', ...REQUEST_FIELDS[type]], what);
  switch (type) {
    case 'open':
      return { type, path: str(x, 'path', LIMITS.path, what) };
    case 'openText':
      return { type, text: str(x, 'text', LIMITS.text, what, false), name: str(x, 'name', LIMITS.name, what) };
    case 'edit':
      return { type, text: str(x, 'text', LIMITS.text, what, false) };
    case 'save':
      return { type, path: str(x, 'path', LIMITS.path, what), text: str(x, 'text', LIMITS.text, what, false) };
    case 'run': {
      const r: Request = { type, host: str(x, 'host', LIMITS.name, what), line: str(x, 'line', LIMITS.line, what, false) };
      if (x.background !== undefined) {
        if (typeof x.background !== 'boolean') throw new ProtocolError(`${what}: 'background' must be true or false`);
        r.background = x.background;
      }
      return r;
    }
    case 'getLab':
    case 'start':
    case 'trace':
    case 'stop':
    case 'pull':
      return { type };
    case 'live': {
      const op = x.op;
      if (typeof op !== 'string' || !(LIVE_OPS as readonly string[]).includes(op)) throw new ProtocolError(`${what}: 'op' must be one of ${LIVE_OPS.join(', ')}`);
      const r: Request = { type, op: op as LiveOp };
      if (x.host !== undefined) r.host = str(x, 'host', LIMITS.name, what);
      if (x.skb !== undefined) r.skb = int(x, 'skb', what, 1);
      if (op === 'stepPacket' && (r.host === undefined || r.skb === undefined)) throw new ProtocolError(`${what}: stepPacket needs 'host' and 'skb'`);
      return r;
    }
    case 'speed': {
      const v = x.speed;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e6) throw new ProtocolError(`${what}: 'speed' must be a number from 0 (as fast as possible) to 1e6`);
      return { type, speed: v };
    }
    case 'exec':
      return { type, host: str(x, 'host', LIMITS.name, what), line: str(x, 'line', LIMITS.line, what, false), term: int(x, 'term', what, 0) };
    case 'input': {
      if (x.text !== null && typeof x.text !== 'string') throw new ProtocolError(`${what}: 'text' must be a string or null`);
      return { type, cmd: int(x, 'cmd', what, 1), text: x.text === null ? null : str(x, 'text', LIMITS.line, what, false) };
    }
    case 'interrupt':
      return { type, cmd: int(x, 'cmd', what, 1) };
    case 'ack':
      return { type, seq: int(x, 'seq', what, 0) };
    case 'packet':
      return { type, no: int(x, 'no', what, 1) };
    case 'snapshot':
    case 'restartHost':
      return { type, host: str(x, 'host', LIMITS.name, what) };
    case 'export': {
      if (x.format !== 'pcap' && x.format !== 'pcapng') throw new ProtocolError(`${what}: 'format' must be pcap or pcapng`);
      if (typeof x.perHook !== 'boolean') throw new ProtocolError(`${what}: 'perHook' must be true or false`);
      const r: Request = { type, format: x.format, perHook: x.perHook };
      if (x.host !== undefined) r.host = str(x, 'host', LIMITS.name, what);
      return r;
    }
    case 'backups':
      return { type };
    case 'restoreBackup':
    case 'discardBackup': {
      const bid = str(x, 'id', 16, what);
      if (!/^[0-9a-f]{16}$/.test(bid)) throw new ProtocolError(`${what}: 'id' must be a backup id`);
      return { type, id: bid };
    }
  }
}

function int(o: Obj, key: string, what: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new ProtocolError(`${what}: '${key}' must be an integer >= ${min}`);
  return v;
}

/** Is this server message a pushed batch (not a response)? */
export function isPushEnvelope(x: unknown): boolean {
  return isObj(x) && 'push' in x;
}

/** Check a pushed batch's shape (what a client receives besides responses). */
export function parsePushEnvelope(x: unknown): PushEnvelope {
  if (!isObj(x)) throw new ProtocolError('push must be an object');
  version(x);
  const b = x.push;
  if (!isObj(b) || typeof b.seq !== 'number' || !isObj(b.live) || !isObj(b.counters)) throw new ProtocolError('push: a batch needs seq, live and counters');
  for (const k of ['records', 'packets', 'term', 'exits']) if (!Array.isArray(b[k])) throw new ProtocolError(`push: '${k}' must be an array`);
  return { v: PROTOCOL_VERSION, push: b as unknown as LiveBatch };
}

function id(x: Obj): number {
  const v = x.id;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ProtocolError('id must be a non-negative integer');
  return v;
}

function version(x: Obj): void {
  if (x.v !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version must be ${PROTOCOL_VERSION}`);
}

/** Check an untrusted request envelope (what a server receives). */
export function parseRequestEnvelope(x: unknown): RequestEnvelope {
  if (!isObj(x)) throw new ProtocolError('message must be an object');
  onlyKeys(x, ['v', 'id', 'req'], 'message');
  version(x);
  return { v: PROTOCOL_VERSION, id: id(x), req: parseRequest(x.req) };
}

/** Check a response envelope's shape (what a client receives). */
export function parseResponseEnvelope(x: unknown): ResponseEnvelope {
  if (!isObj(x)) throw new ProtocolError('response must be an object');
  version(x);
  const i = id(x);
  if (x.ok === true) return { v: PROTOCOL_VERSION, id: i, ok: true, result: x.result };
  if (x.ok === false && typeof x.error === 'string') return { v: PROTOCOL_VERSION, id: i, ok: false, error: x.error };
  throw new ProtocolError('response must have ok: true with result, or ok: false with error');
}

/** Decode a JSON text frame; ProtocolError on bad JSON. */
export function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProtocolError('message is not valid JSON');
  }
}

/** Menu actions Electron's menus send to the renderer. */
export const MENU_ACTIONS = ['open', 'save', 'saveAs', 'start', 'stop', 'runChecks', 'undo', 'redo', 'toggleTheme', 'layout'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

export function isMenuAction(x: unknown): x is MenuAction {
  return typeof x === 'string' && (MENU_ACTIONS as readonly string[]).includes(x);
}

/** How a host draws: a router forwards (ip_forward=1 at boot), a switch bridges. */
export function nodeKind(exec: readonly string[]): NodeKind {
  if (exec.some((l) => /\btype\s+bridge\b/.test(l))) return 'switch';
  if (exec.some((l) => /\bnet[./]ipv4[./]ip_forward\s*=\s*1\b/.test(l) || /echo\s+1\s*>\s*\/proc\/sys\/net\/ipv4\/ip_forward/.test(l))) {
    return 'router';
  }
  return 'host';
}

/** What electron/preload.ts exposes as window.stacklab (shared by both sides). */
export interface PreloadApi {
  request(envelope: unknown): Promise<unknown>;
  pickOpenPath(): Promise<string | null>;
  pickSavePath(suggested: string): Promise<string | null>;
  onMenu(cb: (action: string) => void): void;
  /** Live batches pushed by main (schema-checked by the preload); returns an unsubscribe. */
  onBatch(cb: (b: LiveBatch) => void): () => void;
}
