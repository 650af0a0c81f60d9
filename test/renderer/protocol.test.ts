import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  PROTOCOL_VERSION,
  ProtocolError,
  decodeJson,
  isMenuAction,
  nodeKind,
  parseRequest,
  parseRequestEnvelope,
  parseResponseEnvelope,
} from '../../renderer/src/bridge/protocol.js';

describe('parseRequest', () => {
  it('accepts every request type in its shape', () => {
    const ok = [
      { type: 'open', path: 'labs/x.lab.yaml' },
      { type: 'openText', text: 'version: 1', name: 'x.lab.yaml' },
      { type: 'edit', text: '' },
      { type: 'getLab' },
      { type: 'save', path: '/tmp/x.lab.yaml', text: 'version: 1\n' },
      { type: 'start' },
      { type: 'run', host: 'h1', line: 'ping -c 1 10.0.2.2' },
      { type: 'run', host: 'h1', line: 'nc -l 9000', background: true },
      { type: 'trace' },
      { type: 'stop' },
    ];
    for (const r of ok) expect(parseRequest(r)).toEqual(r);
  });

  it.each([
    [null, 'request must be an object'],
    [[], 'request must be an object'],
    [{}, 'unknown request type'],
    [{ type: 'rm -rf' }, 'unknown request type'],
    [{ type: 'toString' }, 'unknown request type'],
    [{ type: 'open' }, "'path' must be a string"],
    [{ type: 'open', path: '' }, 'must not be empty'],
    [{ type: 'open', path: 'a\0b' }, 'NUL'],
    [{ type: 'open', path: 'x'.repeat(LIMITS.path + 1) }, 'longer than'],
    [{ type: 'run', host: 'h1', line: 7 }, "'line' must be a string"],
    [{ type: 'run', host: 'h1', line: 'x', background: 'yes' }, "'background' must be true or false"],
    [{ type: 'start', extra: 1 }, "unexpected field 'extra'"],
    [{ type: 'save', path: 'p', text: 'x'.repeat(LIMITS.text + 1) }, 'longer than'],
  ])('refuses %j', (input, msg) => {
    expect(() => parseRequest(input)).toThrow(ProtocolError);
    expect(() => parseRequest(input)).toThrow(msg);
  });
});

describe('envelopes', () => {
  it('checks version, id and request', () => {
    expect(parseRequestEnvelope({ v: PROTOCOL_VERSION, id: 3, req: { type: 'getLab' } })).toEqual({ v: 1, id: 3, req: { type: 'getLab' } });
    expect(() => parseRequestEnvelope({ v: 2, id: 3, req: { type: 'getLab' } })).toThrow('protocol version');
    expect(() => parseRequestEnvelope({ v: 1, id: -1, req: { type: 'getLab' } })).toThrow('id');
    expect(() => parseRequestEnvelope({ v: 1, id: 1.5, req: { type: 'getLab' } })).toThrow('id');
    expect(() => parseRequestEnvelope({ v: 1, id: 1, req: { type: 'getLab' }, x: 1 })).toThrow("unexpected field 'x'");
  });

  it('reads responses', () => {
    expect(parseResponseEnvelope({ v: 1, id: 1, ok: true, result: { a: 1 } })).toEqual({ v: 1, id: 1, ok: true, result: { a: 1 } });
    expect(parseResponseEnvelope({ v: 1, id: 1, ok: false, error: 'no' })).toEqual({ v: 1, id: 1, ok: false, error: 'no' });
    expect(() => parseResponseEnvelope({ v: 1, id: 1, ok: false })).toThrow(ProtocolError);
  });

  it('decodes JSON or says it is not JSON', () => {
    expect(decodeJson('{"a":1}')).toEqual({ a: 1 });
    expect(() => decodeJson('{')).toThrow('not valid JSON');
  });
});

describe('nodeKind', () => {
  it('tells routers, switches and hosts apart by their boot commands', () => {
    expect(nodeKind(['sysctl -w net.ipv4.ip_forward=1', 'ip addr add 10.0.1.1/24 dev eth0'])).toBe('router');
    expect(nodeKind(['sysctl net.ipv4.ip_forward=1'])).toBe('router');
    expect(nodeKind(['echo 1 > /proc/sys/net/ipv4/ip_forward'])).toBe('router');
    expect(nodeKind(['sysctl -w net.ipv4.ip_forward=0'])).toBe('host');
    expect(nodeKind(['ip link add br0 type bridge', 'ip link set eth1 master br0'])).toBe('switch');
    expect(nodeKind([])).toBe('host');
  });

  it('knows the menu actions', () => {
    expect(isMenuAction('save')).toBe(true);
    expect(isMenuAction('__proto__')).toBe(false);
  });
});
