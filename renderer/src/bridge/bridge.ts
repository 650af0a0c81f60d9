// The one interface the renderer uses to reach the simulator, whatever the
// transport (WebSocket in web mode, IPC in Electron). No DOM types here, so
// stores and their tests can use it under plain Node.
import type { LiveBatch, MenuAction, Request, RequestType, ResultOf } from './protocol.js';

export interface Bridge {
  readonly kind: 'web' | 'electron' | 'test';
  request<T extends Request>(req: T): Promise<ResultOf<T['type']>>;
  /** Native file dialogs (Electron); absent in web mode, where the UI asks for a path. */
  pickOpenPath?(): Promise<string | null>;
  pickSavePath?(suggested: string): Promise<string | null>;
  /** Menu actions from the native menu (Electron). */
  onMenu?(cb: (action: MenuAction) => void): void;
  /** The transport went away (web mode: the server stopped). */
  onDisconnect?(cb: () => void): void;
  /** Live batches pushed by the server (WebSocket) or by Electron main (the
   * preload's onBatch); a bridge without it makes the renderer pull. */
  onPush?(cb: (b: LiveBatch) => void): void;
}

export type { Request, RequestType, ResultOf };

let current: Bridge | null = null;

export function setBridge(b: Bridge): void {
  current = b;
}

export function useBridge(): Bridge {
  if (!current) throw new Error('bridge not set: call setBridge() before using the stores');
  return current;
}

/** A Bridge over a function that takes a request envelope's `req` and returns the raw response. */
export class RequestCorrelator {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /** Allocate an id and a promise settled by settle(). */
  open(): { id: number; done: Promise<unknown> } {
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    return { id, done };
  }

  settle(id: number, ok: boolean, value: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (ok) p.resolve(value);
    else p.reject(new Error(String(value)));
  }

  failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
