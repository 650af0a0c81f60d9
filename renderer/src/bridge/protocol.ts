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

export type Request =
  | { type: 'open'; path: string }
  | { type: 'openText'; text: string; name: string }
  | { type: 'edit'; text: string }
  | { type: 'getLab' }
  | { type: 'save'; path: string; text: string }
  | { type: 'start' }
  | { type: 'run'; host: string; line: string; background?: boolean }
  | { type: 'trace' }
  | { type: 'stop' };

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
      return { type };
  }
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
}
