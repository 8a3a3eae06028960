#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sockets of the library kernel, used by guests (TAP output).
#
#   1. guest/sockets.c in a copy of the default image: unix stream, dgram
#      and seqpacket sockets bound in the image or abstract, between
#      forked processes (accept4, get*name, SO_PEERCRED with the pids
#      getpid gives, SO_RCVBUF, recvfrom's sender), several iovecs,
#      SCM_RIGHTS of image files, kernel pipes and host fds,
#      SCM_CREDENTIALS, sendmmsg/recvmmsg, a blocked accept and recvmsg
#      interrupted by a signal, poll/select/epoll, TCP and UDP on
#      127.0.0.1 (kbox brings lo up), a socket filter, NULL buffers.
#   2. busybox: ip and ifconfig drive lo, nc talks TCP.
#   3. python3 from the Debian image, when there is one: socketserver over
#      a unix socket, send_fds/recv_fds, http.server and urllib, asyncio.
#
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

SOCKETS=${KBOX_GUEST_BIN:-}/sockets
[ -x "$SOCKETS" ] || skip_all "no guest program $SOCKETS (make it)"
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (KBOX_DEFAULT_IMAGE)"
need debugfs e2fsck timeout -- e2fsprogs coreutils
kbox_test_init test_sockets

# The default image, with the program, a file to pass and a directory for sockets.
img=$work/sockets.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img"
echo "content of an image file" > "$work/content"
debugfs -w -f - "$img" > "$work/debugfs.log" 2>&1 <<EOF
write $SOCKETS /bin/sockets
sif /bin/sockets mode 0100755
mkdir /srv
write $work/content /srv/content
EOF
debugfs -R "stat /bin/sockets" "$img" 2> /dev/null | grep -q "Mode:  0755"
ok $? "a copy of the default image holding the sockets program" || diag < "$work/debugfs.log"

run() { kb -r "$img" "$@"; }

# sock CHECK ARG EXPECTED DESCRIPTION: sockets CHECK ARG prints EXPECTED.
sock() {
	local check=$1 arg=$2 want=$3
	shift 3
	run -- /bin/sockets "$check" $arg
	is "$out" "$want" "$*" || show
}

# ---- 1. the guest program ---------------------------------------------------

sock stream /srv/stream "stream-listen ok
getsockname ok
accept4 ok
accept4-cloexec ok
so-type ok
so-peercred ok
so-rcvbuf ok
stream-data ok
stream-client ok" "unix stream in the image between two processes: accept4 CLOEXEC, get*name, SO_TYPE, SO_PEERCRED pids as getpid, SO_RCVBUF"

run -- /bin/ls -l /srv/stream
case $out in s*) ok 0 "the bound socket is in the image, type s to ls -l" ;;
*) ok 1 "the bound socket is in the image, type s to ls -l"; show ;; esac
debugfs -R "stat /srv/stream" "$img" 2> /dev/null | grep -q "Type: socket"
ok $? "  and to debugfs, after kbox ended"

sock dgram /srv/dgram "dgram-path ok
dgram-abstract ok" "unix dgram: recvfrom gives the sender's path, and its abstract name"

sock seqpacket "" "seqpacket ok" "unix seqpacket keeps record boundaries"

sock iov "" "iov ok
iov-trunc ok" "sendmsg/recvmsg with several iovecs; MSG_TRUNC on a short buffer"

sock rights /srv/content "rights-recv ok
rights-file ok
rights-content content of an image file
rights-pipe ok
rights-cloexec ok
scm-credentials ok
rights-child ok" "SCM_RIGHTS: an image file and a kernel pipe from a child (MSG_CMSG_CLOEXEC); SCM_CREDENTIALS"

sock hostfd "" "hostfd-recv ok
hostfd-stdout ok
hostfd-memfd ok" "SCM_RIGHTS of host fds: kbox's stdout and a memfd arrive as themselves"

sock mmsg "" "sendmmsg ok
recvmmsg ok" "sendmmsg and recvmmsg"

sock eintr /srv/eintr "accept-eintr ok
accept-others-run ok
accept-restart ok
recvmsg-eintr ok" "a blocked accept: EINTR, other threads run, SA_RESTART resumes it; recvmsg EINTR"

sock poll /srv/poll "poll-timeout ok
poll-listen ok
select-listen ok
epoll-ctl ok
epoll-nothing-yet ok
epoll-wait ok
epoll-host-fd ok
poll-child ok" "poll, select and epoll on unix sockets (kbox's stdout, a regular file, in epoll: EPERM)"

sock inet "" "tcp-listen ok
tcp-accept ok
tcp-trunc ok
tcp-data ok
tcp-getsockopt ok
tcp-client ok
udp-recvfrom ok" "TCP (MSG_TRUNC drops, copies nothing) and UDP on 127.0.0.1"

sock filter "" "filter-cuts ok
filter-get ok" "SO_ATTACH_FILTER (its code comes in through a pointer) cuts datagrams; SO_GET_FILTER"

sock null "" "null ok" "NULL buffers: EFAULT (socketpair, sendto, setsockopt, write, uname), kbox goes on; utimensat's NULL still passes; an overlong cmsg_len: EINVAL"

# ---- 2. busybox ---------------------------------------------------------------

run -- /bin/sh -c 'ip -o link show lo | grep -c "<LOOPBACK,UP"; ip link set lo down &&
	ip -o link show lo | grep -c ",UP"; ifconfig lo up && ifconfig lo | grep -c " UP "'
is "$out" "1
0
1" "lo is up at start; ip (netlink) takes it down, ifconfig (ioctl) up again" || show

run -- /bin/sh -c '(nc -l -p 7777 > /tmp/got) &
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "over tcp" | nc 127.0.0.1 7777 2> /dev/null && break; sleep 0.3; done
	wait; cat /tmp/got'
is "$out" "over tcp" "busybox nc: a TCP listener and a client on 127.0.0.1" || show

# ---- 3. python3 from the Debian image ------------------------------------------

if [ -n "${KBOX_DEBIAN_IMAGE:-}" ] && [ -f "$KBOX_DEBIAN_IMAGE" ]; then
	tok=$(debugfs -R "cat /etc/kbox-image-id" "$KBOX_DEBIAN_IMAGE" 2> /dev/null)
	cat > "$work/t.py" <<'EOF'
import asyncio, os, socket, socketserver, threading, http.server, urllib.request
tok = open("/etc/kbox-image-id").read().strip()

class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline().upper())
path = "/tmp/echo.sock"
srv = socketserver.UnixStreamServer(path, Echo)
pid = os.fork()
if pid == 0:
    c = socket.socket(socket.AF_UNIX)
    c.connect(path); c.sendall(b"hello unix\n")
    os._exit(0 if c.makefile().readline() == "HELLO UNIX\n" else 1)
srv.handle_request()
print("unix", os.waitpid(pid, 0)[1] == 0, oct(os.stat(path).st_mode >> 12))

a, b = socket.socketpair()
f = open("/etc/kbox-image-id")
socket.send_fds(a, [b"fd"], [f.fileno()])
msg, fds, flags, addr = socket.recv_fds(b, 16, 4)
print("fds", msg, len(fds), os.read(fds[0], 64).decode().strip() == tok)

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.path + " " + tok).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
hs = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=hs.serve_forever, daemon=True).start()
print("http", urllib.request.urlopen("http://127.0.0.1:%d/kbox" % hs.server_address[1]).read().decode())
hs.shutdown()

async def main():
    async def h(r, w):
        w.write((await r.readline()).upper()); await w.drain(); w.close()
    s = await asyncio.start_server(h, "127.0.0.1", 0)
    r, w = await asyncio.open_connection("127.0.0.1", s.sockets[0].getsockname()[1])
    w.write(b"asyncio over epoll\n"); await w.drain()
    got = await r.readline(); w.close(); s.close(); await s.wait_closed()
    return got.decode().strip()
print("asyncio", asyncio.run(main()))
EOF
	STDIN=$work/t.py T=60 kb -r "$KBOX_DEBIAN_IMAGE" --ro -S -- python3 /dev/stdin
	is "$out" "unix True 0o14
fds b'fd' 1 True
http /kbox $tok
asyncio ASYNCIO OVER EPOLL" "python3: socketserver on a unix socket, send_fds/recv_fds, http.server + urllib on 127.0.0.1, asyncio" || show
else
	skip "python3 sockets" "no Debian image (KBOX_DEBIAN_IMAGE)"
fi

# ---- the runs as a whole --------------------------------------------------------

! grep -q -e '==ERROR: ' -e 'runtime error:' "$work/all.err"
ok $? "no sanitizer report from kbox" || grep -e '==ERROR: ' -e 'runtime error:' -A5 "$work/all.err" | head -40 | diag
fs_clean "$img" "the image is fsck-clean afterwards"

done_testing
