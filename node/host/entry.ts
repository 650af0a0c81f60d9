// A host process: runs the hosts its parent boots in it (core/runtime/
// host_agent.ts) and speaks the protocol of core/runtime/protocol.ts over
// whatever connects it to the parent: Electron's parentPort when started with
// utilityProcess.fork, Node's IPC channel when started with child_process.fork.
// It holds nothing the parent cannot rebuild from the lab file.
import { HostAgent } from '../../core/runtime/host_agent.js';
import type { FromHost, ToHost } from '../../core/runtime/protocol.js';

interface ParentPort {
  postMessage(m: unknown): void;
  on(ev: 'message', fn: (e: { data: unknown }) => void): void;
}

const hooks = {
  exit: (code: number) => {
    if (code !== 0) process.exit(code); // the crash test hook: die at once
    // Let the last reply go out first.
    if (process.connected) process.disconnect();
    else setImmediate(() => process.exit(0));
  },
  hang: () => {
    // Test hook: a busy loop that never yields, as a buggy tool might.
    for (;;);
  },
};

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort) {
  const agent = new HostAgent((m: FromHost) => parentPort.postMessage(m), hooks);
  parentPort.on('message', (e) => agent.handle(e.data as ToHost));
} else if (process.send) {
  const send = process.send.bind(process);
  const agent = new HostAgent((m: FromHost) => void send(m), hooks);
  process.on('message', (m) => agent.handle(m as ToHost));
  // The parent went away: nothing here is worth keeping.
  process.on('disconnect', () => process.exit(0));
} else {
  process.stderr.write('stacklab host process: start me with child_process.fork or utilityProcess.fork\n');
  process.exit(2);
}
