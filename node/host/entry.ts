// A host process: runs the hosts its parent boots in it (core/runtime/
// host_agent.ts) and speaks the protocol of core/runtime/protocol.ts over
// whatever connects it to the parent: two blocking pipes when the parent
// passed them (node/runtime/fifo_channel.ts), else Electron's parentPort when
// started with utilityProcess.fork, Node's IPC channel when started with
// child_process.fork. It holds nothing the parent cannot rebuild from the
// lab file.
import { HostAgent } from '../../core/runtime/host_agent.js';
import type { FromHost, ToHost } from '../../core/runtime/protocol.js';
import { childPipes, PIPES_ENV } from '../runtime/fifo_channel.js';
import { FrameReader, FrameWriter } from '../runtime/pipe_frames.js';

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

/** Over pipes: read a request, answer it, forever; this process needs no
 * event loop. End of file on the requests means the parent is gone. */
function servePipes(req: number, rep: number): never {
  const reader = new FrameReader();
  const writer = new FrameWriter(rep);
  const agent = new HostAgent((m: FromHost) => void (writer.write(m) || process.exit(0)), {
    exit: (code) => process.exit(code), // the reply is out already: writes are synchronous
    hang: hooks.hang,
  });
  for (;;) {
    const m = reader.next<ToHost>(req);
    if (!m) process.exit(0);
    agent.handle(m);
  }
}

const pipes = childPipes(process.env[PIPES_ENV]);
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (pipes) {
  servePipes(pipes.req, pipes.rep);
} else if (parentPort) {
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
