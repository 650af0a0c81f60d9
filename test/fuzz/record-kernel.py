#!/usr/bin/env python3
"""Send the fuzz suite's table frames (mutations.ts) into a veth of a real
kernel and record how each moves /proc/net/{snmp,netstat} on the receiver.

Two network namespaces, a (10.0.0.1, 02:00:00:00:01:01) and b (10.0.0.2,
02:00:00:00:02:01), one veth pair; frames leave a's end through an AF_PACKET
socket. Needs root. Traffic stays inside the namespaces, which are removed
on exit.

usage: npx tsx test/fuzz/dump-frames.ts > /tmp/frames.json   # then keep the deltas but TcpExt
       python3 test/fuzz/record-kernel.py /tmp/frames.json > test/fuzz/kernel-counters.json
"""
import ctypes, json, os, platform, socket, subprocess, sys, time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
P = "fz%d" % os.getpid()
A, B = P + "a", P + "b"


def sh(*args):
    subprocess.run(args, check=True, capture_output=True)


def setns(name):
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + name)
    os.close(fd)


def counters():
    out = {}
    for f in ("/proc/self/net/snmp", "/proc/self/net/netstat"):
        lines = open(f).read().splitlines()
        for names, values in zip(lines[0::2], lines[1::2]):
            sec = names.split(":")[0]
            for k, v in zip(names.split()[1:], values.split()[1:]):
                out[sec + "." + k] = int(v)
    return out


def up():
    for n, ip, mac in ((A, "10.0.0.1/24", "02:00:00:00:01:01"), (B, "10.0.0.2/24", "02:00:00:00:02:01")):
        sh("ip", "netns", "add", n)
        sh("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
        sh("ip", "-n", n, "link", "set", "lo", "up")
    sh("ip", "-n", A, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", B)
    for n, ip, mac in ((A, "10.0.0.1/24", "02:00:00:00:01:01"), (B, "10.0.0.2/24", "02:00:00:00:02:01")):
        sh("ip", "-n", n, "link", "set", "eth0", "address", mac, "up")
        sh("ip", "-n", n, "addr", "add", ip, "dev", "eth0")


def down():
    for n in (A, B):
        subprocess.run(["ip", "netns", "del", n], capture_output=True)


def main(path):
    frames = json.load(open(path))
    up()
    try:
        time.sleep(0.5)
        setns(A)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind(("eth0", 0))
        setns(B)
        results = {}
        for name, hexbytes in frames.items():
            before = counters()
            s.send(bytes.fromhex(hexbytes))
            time.sleep(1.1)  # > icmp_ratelimit (1 s): every mutation may answer
            after = counters()
            results[name] = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
        print(json.dumps({"kernel": platform.release(), "deltas": results}, indent=1))
    finally:
        down()


if __name__ == "__main__":
    main(sys.argv[1])
