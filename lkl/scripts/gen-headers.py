#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Turn the kernel's installed uapi headers into liblkl's public header tree.

    gen-headers.py --uapi DIR/include --ksrc KERNEL_SRC --out OUT_INCLUDE

DIR is what `make ARCH=lkl headers_install INSTALL_HDR_PATH=DIR` produced.
The result is OUT_INCLUDE/lkl/<same path as in DIR/include> for every header
reachable from ROOT_HEADERS, plus OUT_INCLUDE/lkl/syscalls.h: one typed
static inline lkl_sys_<name>() per system call of the 64-bit asm-generic
table, the classic helpers (lkl_sys_open, lkl_sys_stat, ...), and the ABI
constants the uapi leaves to the C library (LKL_AF_INET, LKL_SOCK_STREAM).

Names are prefixed so the tree can be included next to the C library's
headers (and the host's <linux/...>) in one translation unit.  The rule,
lkl_name():

    no leading '_'     lkl_<name>            stat -> lkl_stat
                       LKL_<NAME>            O_CREAT -> LKL_O_CREAT
    leading '_'s (U)   U lkl U <rest>        __u32 -> __lkl__u32,
                       U LKL U <REST>        __NR_read -> __lkl__NR_read,
                                             _IOC -> _LKL_IOC

LKL is used when the name has no lower-case letter.  Names starting with
lkl_ or LKL_ are kept.  What is renamed, everywhere it occurs in the tree
(outside comments and strings, and not a macro's own parameters):

  - every #define'd macro, typedef name, enumerator and static function;
  - every struct/union/enum tag (where it follows the keyword);
  - every #if/#ifdef switch the tree tests but never defines (SA_RESTORER,
    __BYTE_ORDER, __GLIBC__), so outside definitions cannot change a layout;
    compiler-predefined __x86_64__-style names stay global;
  - the member names C libraries #define as macros (st_atime, sa_handler:
    LIBC_MEMBER_MACROS), as upstream LKL does.

linux/libc-compat.h is replaced by one that enables every definition, and
kernel-only structs the uapi embeds (struct sockaddr, ...) are appended to
linux/socket.h.  Python 3 standard library only; the output is deterministic
and files are rewritten only when their content changes.
"""

import argparse
import os
import re
import sys

# Exported on top of whatever these include.  Missing ones are skipped, so
# the list may name headers another kernel version lacks.
ROOT_HEADERS = [
    # ours
    "asm/unistd.h", "asm/host_ops.h", "asm/ptrace.h", "asm/sigcontext.h",
    "asm/setup.h",
    # files, directories, mounts
    "linux/fcntl.h", "linux/stat.h", "asm/stat.h", "asm/statfs.h",
    "linux/fs.h", "linux/mount.h", "linux/xattr.h", "linux/fadvise.h",
    "linux/falloc.h", "linux/openat2.h", "linux/close_range.h",
    "linux/magic.h", "linux/major.h", "linux/kdev_t.h", "linux/limits.h",
    "linux/inotify.h", "linux/fanotify.h", "linux/loop.h",
    "linux/aio_abi.h", "linux/io_uring.h",
    # basic types, errors, time, terminals
    "linux/types.h", "linux/errno.h", "linux/time.h", "linux/time_types.h",
    "linux/times.h", "linux/timex.h", "linux/sysinfo.h", "linux/utsname.h",
    "linux/unistd.h", "linux/ioctl.h", "linux/termios.h",
    # processes, signals, scheduling, memory, keys
    "linux/signal.h", "linux/sched.h", "linux/sched/types.h",
    "linux/resource.h", "linux/wait.h", "linux/futex.h", "linux/capability.h",
    "linux/personality.h", "linux/prctl.h", "linux/reboot.h", "linux/rseq.h",
    "linux/mman.h", "linux/memfd.h", "linux/mempolicy.h", "linux/random.h",
    "linux/keyctl.h", "linux/pidfd.h", "linux/landlock.h", "linux/lsm.h",
    # fd based event interfaces
    "linux/poll.h", "linux/eventpoll.h", "linux/eventfd.h", "linux/timerfd.h",
    "linux/signalfd.h",
    # System V and POSIX IPC
    "linux/ipc.h", "linux/mqueue.h", "linux/msg.h", "linux/sem.h",
    "linux/shm.h",
    # networking
    "linux/socket.h", "linux/net.h", "linux/sockios.h", "linux/uio.h",
    "linux/in.h", "linux/in6.h", "linux/un.h", "linux/if.h",
    "linux/if_ether.h", "linux/if_arp.h", "linux/if_packet.h",
    "linux/if_tun.h", "linux/ip.h", "linux/ipv6.h", "linux/tcp.h",
    "linux/udp.h", "linux/netlink.h", "linux/rtnetlink.h", "linux/if_addr.h",
    "linux/if_link.h", "linux/neighbour.h", "linux/route.h",
]

# The C language and the compiler: never renamed, even after `struct` or
# when a header (wrongly) #defines one.
C_RESERVED = set("""
    auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed
    sizeof static struct switch typedef union unsigned void volatile while
    _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn
    _Static_assert _Thread_local asm typeof defined
    __asm __asm__ __attribute __attribute__ __extension__ __inline __inline__
    __volatile__ __signed __signed__ __const __const__ __restrict __restrict__
    __typeof __typeof__ __alignof __alignof__ __int128 __label__ __auto_type
    __real__ __imag__ __func__ __FUNCTION__ __PRETTY_FUNCTION__
""".split())

# Member names C libraries #define as macros (glibc: `#define st_atime
# st_atim.tv_sec`, `#define msg_cbytes __msg_cbytes`; s_addr elsewhere).
# Kept as they are, <sys/stat.h> included first would rewrite struct lkl_stat.
LIBC_MEMBER_MACROS = {"st_atime", "st_mtime", "st_ctime", "sa_handler",
                      "sa_sigaction", "s_addr", "msg_cbytes"}

# __X__-shaped switches that are not compiler-predefined but probe for a C
# library or the kernel build: renamed like any other switch, so that for
# instance linux/stat.h always defines LKL_S_IFDIR, glibc or not.
BUILD_PROBES = {"__GLIBC__", "__UCLIBC__", "__KERNEL__", "__ASSEMBLY__"}


def warn(msg):
    print("gen-headers: warning: " + msg, file=sys.stderr)


# --------------------------------------------------------------------------
# The prefix rule
# --------------------------------------------------------------------------

def lkl_name(name):
    """The prefixed form of a name (rule in the module docstring)."""
    if name.startswith(("lkl_", "LKL_")):
        return name
    rest = name.lstrip("_")
    lead = name[:len(name) - len(rest)]
    upper = any(c.isupper() for c in rest) and \
        not any(c.islower() for c in rest)
    return lead + ("LKL" if upper else "lkl") + (lead or "_") + rest


def predefined_by_compiler(name):
    """__x86_64__, __GNUC__, __cplusplus, __STDC_VERSION__ ..."""
    if name in BUILD_PROBES:
        return False
    return re.fullmatch(r"__\w+__", name) is not None or \
        name == "__cplusplus" or name.startswith("__STDC")


# --------------------------------------------------------------------------
# Lexing
# --------------------------------------------------------------------------

# Enough of a C lexer never to touch comments, strings, or the inside of a
# number such as 0x10UL.  A splice is a backslash-newline.
TOKEN_RE = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[\w.])*)
  | (?P<splice>\\\n)
  | (?P<newline>\n)
  | (?P<space>[ \t\r\f\v]+)
  | (?P<punct>\#\#|.)
""", re.S | re.X)


def tokens(text):
    """(kind, text) for every token; together they spell text exactly."""
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        yield m.lastgroup, m.group()
        pos = m.end()


def logical_lines(text):
    """Lines as cpp sees them: comments blanked, continuations joined."""
    parts = []
    for kind, tok in tokens(text):
        if kind == "comment":
            parts.append(" " + "\n" * tok.count("\n"))
        elif kind == "splice":
            parts.append(" ")
        else:
            parts.append(tok)
    return "".join(parts).split("\n")


def split_code(text):
    """(C code with directive lines blanked, list of directive lines)."""
    code, directives = [], []
    for line in logical_lines(text):
        if line.lstrip().startswith("#"):
            directives.append(line.strip())
            code.append("")
        else:
            code.append(line)
    return "\n".join(code), directives


def skip_balanced(s, i, open_ch, close_ch):
    """Index just past the bracket group that starts at s[i]."""
    depth = 0
    while i < len(s):
        if s[i] == open_ch:
            depth += 1
        elif s[i] == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def remove_attributes(code):
    """Drop __attribute__((...)): declarators read as plain C then."""
    out, pos = [], 0
    for m in re.finditer(r"\b__attribute(?:__)?\b\s*(?=\()", code):
        if m.start() >= pos:
            out.append(code[pos:m.start()])
            pos = skip_balanced(code, m.end(), "(", ")")
    out.append(code[pos:])
    return "".join(out)


def remove_braces(s):
    """Every top-level {...} group replaced by a space."""
    out, i = [], 0
    while i < len(s):
        if s[i] == "{":
            i = skip_balanced(s, i, "{", "}")
            out.append(" ")
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def split_top_level(s, sep=","):
    """s split on sep where no bracket is open."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


# --------------------------------------------------------------------------
# Which headers
# --------------------------------------------------------------------------

INCLUDE_RE = re.compile(r"^\s*#\s*include\s*<([^>]+)>", re.M)


def reachable_headers(uapi, roots):
    """Headers reachable from roots, and each one's #include <> list."""
    graph = {}
    todo = [r for r in roots if os.path.isfile(os.path.join(uapi, r))]
    while todo:
        rel = todo.pop()
        if rel in graph:
            continue
        with open(os.path.join(uapi, rel)) as f:
            graph[rel] = INCLUDE_RE.findall(f.read())
        todo += [i for i in graph[rel]
                 if os.path.isfile(os.path.join(uapi, i))]
    return sorted(graph), graph


def libc_users(graph):
    """Headers that pull in a C library header (<sys/socket.h>), directly
    or not.  syscalls.h doesn't include them: it must not need a libc."""
    users = {h for h, incs in graph.items()
             if any(i not in graph for i in incs)}
    grew = True
    while grew:
        grew = False
        for h, incs in graph.items():
            if h not in users and any(i in users for i in incs):
                users.add(h)
                grew = True
    return users


def closure(h, graph):
    """h and every header it includes, recursively."""
    seen, todo = set(), [h]
    while todo:
        x = todo.pop()
        if x in graph and x not in seen:
            seen.add(x)
            todo += graph[x]
    return seen


# --------------------------------------------------------------------------
# What the headers declare
# --------------------------------------------------------------------------

class Names:
    def __init__(self):
        self.renamed = set()    # ordinary identifiers to prefix everywhere
        self.typedefs = {}      # typedef name -> header declaring it
        self.tags = {}          # struct/union/enum tag -> header defining it
        self.switches = set()   # tested by #if, defined nowhere


def macro_names(directives):
    for d in directives:
        m = re.match(r"#\s*define\s+(\w+)", d)
        if m:
            yield m.group(1)


def tested_names(directives):
    """Identifiers #if, #ifdef, #ifndef and #elif look at."""
    for d in directives:
        m = re.match(r"#\s*(?:if|ifdef|ifndef|elif)\b(.*)", d)
        if m:
            for n in re.findall(r"[A-Za-z_]\w*", m.group(1)):
                if n != "defined":
                    yield n


def typedef_names(code):
    """Names declared by each `typedef ...;`."""
    for m in re.finditer(r"\btypedef\b", code):
        end, depth = m.end(), 0
        while end < len(code) and (code[end] != ";" or depth):
            depth += {"{": 1, "}": -1}.get(code[end], 0)
            end += 1
        decl = remove_braces(code[m.end():end])
        for part in split_top_level(decl):
            name = declarator_name(part)
            if name:
                yield name


def declarator_name(decl):
    """The identifier a declarator declares: name, *name, name[N],
    (*name)(args), or name(args) for a function type."""
    decl = decl.strip()
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
    if m:
        return m.group(1)
    decl = re.sub(r"(\s*\[[^\]]*\])+\s*$", "", decl)
    m = re.search(r"(\w+)\s*\([^()]*\)\s*$", decl) or \
        re.search(r"(\w+)\s*$", decl)
    return m.group(1) if m else None


def enumerator_names(code):
    for m in re.finditer(r"\benum\b\s*\w*\s*\{", code):
        body_end = skip_balanced(code, m.end() - 1, "{", "}")
        for item in split_top_level(code[m.end():body_end - 1]):
            im = re.match(r"\s*([A-Za-z_]\w*)", item)
            if im:
                yield im.group(1)


def static_names(code):
    """Functions (uapi: static inline helpers) and objects declared static."""
    for m in re.finditer(r"\bstatic\b", code):
        stop = re.compile(r"[(=\[;{]").search(code, m.end())
        ids = re.findall(r"[A-Za-z_]\w*", code[m.end():stop.start()]) \
            if stop else []
        if ids:
            yield ids[-1]


def defined_tags(code):
    for m in re.finditer(r"\b(?:struct|union|enum)\s+([A-Za-z_]\w*)\s*\{",
                         code):
        yield m.group(1)


def collect_names(uapi, headers):
    names = Names()
    macros, tested = set(), set()
    for rel in headers:
        with open(os.path.join(uapi, rel)) as f:
            code, directives = split_code(f.read())
        code = remove_attributes(code)
        macros.update(macro_names(directives))
        tested.update(tested_names(directives))
        for n in typedef_names(code):
            names.typedefs.setdefault(n, rel)
        for t in defined_tags(code):
            names.tags.setdefault(t, rel)
        names.renamed.update(enumerator_names(code))
        names.renamed.update(static_names(code))
    for t, h in INJECTED_TAGS.items():
        if h in headers:
            names.tags.setdefault(t, h)
    names.renamed |= macros | set(names.typedefs) | LIBC_MEMBER_MACROS
    names.switches = {n for n in tested - names.renamed
                      if not predefined_by_compiler(n)}
    names.renamed |= names.switches
    clash = names.renamed & C_RESERVED
    if clash:
        warn("reserved words #defined, left alone: " + " ".join(sorted(clash)))
    names.renamed -= C_RESERVED
    return names


# --------------------------------------------------------------------------
# Rewriting a header
# --------------------------------------------------------------------------

def rewrite_include(target, uapi):
    """<linux/x.h> -> <lkl/linux/x.h> for uapi headers; C library ones stay."""
    if os.path.isfile(os.path.join(uapi, target)):
        return "lkl/" + target
    return target


def rename_identifiers(text, names, uapi):
    """One header with its includes and names rewritten, token by token.

    Comments and strings are copied as they are, and so are a macro's
    parameters inside it: in __struct_group(TAG, ...) `struct TAG` names
    the parameter, not a tag.
    """
    out = []
    it = tokens(text)
    at_line_start = True
    directive = None        # None: C code; '': just after '#'; else its word
    define = None           # #define progress: 'name', 'after-name', 'params'
    params = set()          # parameters of the function-like macro being read
    prev = None             # previous significant token
    for kind, tok in it:
        if kind == "newline":
            at_line_start, directive, define, params = True, None, None, set()
            out.append(tok)
            continue
        if kind in ("space", "splice", "comment"):
            out.append(tok)
            continue
        if at_line_start and tok == "#":
            at_line_start, directive, prev = False, "", None
            out.append(tok)
            continue
        at_line_start = False

        if directive == "":
            directive = tok
            define = "name" if tok == "define" else None
            out.append(tok)
            continue
        if directive in ("error", "warning", "pragma", "line"):
            out.append(tok)                     # free text
            continue
        if directive == "include" and tok == "<":
            # a header name is not made of C tokens: collect it up to '>'
            target, k = [], None
            for k, t in it:
                if t == ">" or k == "newline":
                    break
                target.append(t)
            out.append("<%s>" % rewrite_include("".join(target), uapi))
            if k == "newline":                  # unterminated: keep the line
                out.append(t)
                at_line_start, directive, define = True, None, None
            continue

        if define == "name":
            out.append(lkl_name(tok) if tok in names.renamed else tok)
            define, name_at = "after-name", len(out)
            continue
        if define == "after-name":
            # function-like only if '(' follows the name immediately
            define = "params" if tok == "(" and len(out) == name_at else None
            if define:
                out.append(tok)
                continue
        if define == "params":
            if kind == "ident":
                params.add(tok)
            elif tok == ")":
                define = None
            out.append(tok)
            continue

        if kind == "ident" and tok not in params and tok not in C_RESERVED \
                and (tok in names.renamed or
                     prev in ("struct", "union", "enum")):
            out.append(lkl_name(tok))
        else:
            out.append(tok)
        prev = tok
    return "".join(out)


def libc_compat_header(text):
    """Our linux/libc-compat.h: every __UAPI_DEF_* switched on.

    The original switches kernel definitions off when the C library's
    headers came first, because the names would clash.  Ours never do.
    """
    defs = []
    code = "\n".join(logical_lines(text))         # not the comment's FOO
    for n in re.findall(r"\b(__UAPI_DEF_\w+)", code):
        if n not in defs:
            defs.append(n)
    return ("/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */\n"
            "/*\n * Generated by lkl/scripts/gen-headers.py: prefixed names "
            "never clash with\n * the C library's, so every uapi definition "
            "is enabled.\n */\n"
            "#ifndef _LKL_LIBC_COMPAT_H\n#define _LKL_LIBC_COMPAT_H\n\n" +
            "".join("#define %s 1\n" % lkl_name(n) for n in defs) +
            "\n#endif\n")


# Kernel definitions the uapi uses but does not export (linux/if.h and
# linux/route.h embed struct sockaddr, taken from <sys/socket.h> upstream),
# appended to linux/socket.h which those include.  Layouts: the kernel's
# include/linux/socket.h.
SOCKET_H_EXTRA = r"""
/* Kernel definitions the uapi uses without exporting them. */
#ifndef _LKL_LINUX_SOCKET_KERNEL_DEFS
#define _LKL_LINUX_SOCKET_KERNEL_DEFS

#include <lkl/linux/types.h>

struct lkl_iovec;

struct lkl_sockaddr {
	__lkl__kernel_sa_family_t sa_family;
	char sa_data[14];
};

/* What sendmsg/recvmsg read from the caller. */
struct lkl_user_msghdr {
	void *msg_name;
	int msg_namelen;
	struct lkl_iovec *msg_iov;
	__lkl__kernel_size_t msg_iovlen;
	void *msg_control;
	__lkl__kernel_size_t msg_controllen;
	unsigned int msg_flags;
};

struct lkl_mmsghdr {
	struct lkl_user_msghdr msg_hdr;
	unsigned int msg_len;
};

struct lkl_cmsghdr {
	__lkl__kernel_size_t cmsg_len;
	int cmsg_level;
	int cmsg_type;
};

#define LKL_CMSG_ALIGN(len) \
	(((len) + sizeof(long) - 1) & ~(sizeof(long) - 1))
#define LKL_CMSG_SPACE(len) \
	(sizeof(struct lkl_cmsghdr) + LKL_CMSG_ALIGN(len))
#define LKL_CMSG_LEN(len) (sizeof(struct lkl_cmsghdr) + (len))
#define LKL_CMSG_DATA(cmsg) \
	((void *)((char *)(cmsg) + sizeof(struct lkl_cmsghdr)))
#define LKL_CMSG_FIRSTHDR(msg) \
	((msg)->msg_controllen >= sizeof(struct lkl_cmsghdr) ? \
	 (struct lkl_cmsghdr *)(msg)->msg_control : (struct lkl_cmsghdr *)0)

/* SO_PEERCRED, SCM_CREDENTIALS */
struct lkl_ucred {
	__lkl__u32 pid;
	__lkl__u32 uid;
	__lkl__u32 gid;
};

/* SO_LINGER */
struct lkl_linger {
	int l_onoff;
	int l_linger;
};

#endif
"""

INJECTIONS = {"linux/socket.h": SOCKET_H_EXTRA}
INJECTED_TAGS = {t: "linux/socket.h" for t in
                 ("sockaddr", "user_msghdr", "mmsghdr", "cmsghdr", "ucred",
                  "linger")}


def generated_note(text, rel):
    """A 'generated' note, after the SPDX line (which must stay first)."""
    note = "/* Generated from uapi %s by lkl/scripts/gen-headers.py. */\n" \
        % rel
    first, nl, rest = text.partition("\n")
    if "SPDX-License-Identifier" in first:
        return first + nl + note + rest
    return note + text


def convert_header(uapi, rel, names):
    with open(os.path.join(uapi, rel)) as f:
        text = f.read()
    if rel == "linux/libc-compat.h":
        return libc_compat_header(text)
    text = rename_identifiers(text, names, uapi)
    if rel in INJECTIONS:
        text = text.rstrip("\n") + "\n" + INJECTIONS[rel]
    return generated_note(text, rel)


# --------------------------------------------------------------------------
# Just enough cpp for the syscall table and the prototypes
# --------------------------------------------------------------------------

EXPR_TOKEN_RE = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|"
                           r"\|\||&&|==|!=|<=|>=|<<|>>|\S)[uUlL]*")

BINARY_OPS = {  # precedence, operation
    "||": (1, lambda a, b: int(bool(a) or bool(b))),
    "&&": (2, lambda a, b: int(bool(a) and bool(b))),
    "|": (3, lambda a, b: a | b), "^": (4, lambda a, b: a ^ b),
    "&": (5, lambda a, b: a & b),
    "==": (6, lambda a, b: int(a == b)), "!=": (6, lambda a, b: int(a != b)),
    "<": (7, lambda a, b: int(a < b)), ">": (7, lambda a, b: int(a > b)),
    "<=": (7, lambda a, b: int(a <= b)), ">=": (7, lambda a, b: int(a >= b)),
    "<<": (8, lambda a, b: a << b), ">>": (8, lambda a, b: a >> b),
    "+": (9, lambda a, b: a + b), "-": (9, lambda a, b: a - b),
    "*": (10, lambda a, b: a * b),
    "/": (10, lambda a, b: a // b if b else 0),
    "%": (10, lambda a, b: a % b if b else 0),
}


class Conditions:
    """Object-like macros seen so far, and #if expressions evaluated on
    them.  Unknown names and function-like macros (IS_ENABLED(...)) are 0,
    as for a kernel configured with none of those options."""

    def __init__(self, defines=None):
        self.defines = dict(defines or {})

    def value(self, expr, depth=0):
        return ExprParser(self, EXPR_TOKEN_RE.findall(expr), depth).parse()


class ExprParser:
    """Precedence climbing over one #if expression."""

    def __init__(self, cond, toks, depth):
        self.cond, self.toks, self.pos, self.depth = cond, toks, 0, depth

    def peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self):
        self.pos += 1
        return self.toks[self.pos - 1] if self.pos <= len(self.toks) else None

    def parse(self, min_prec=1):
        left = self.unary()
        while self.peek() in BINARY_OPS and \
                BINARY_OPS[self.peek()][0] >= min_prec:
            prec, op = BINARY_OPS[self.take()]
            left = op(left, self.parse(prec + 1))
        return left

    def unary(self):
        t = self.take()
        if t is None:
            return 0
        if t in ("!", "-", "~"):
            v = self.unary()
            return {"!": int(not v), "-": -v, "~": ~v}[t]
        if t == "(":
            v = self.parse()
            self.take()
            return v
        if t == "defined":
            paren = self.peek() == "("
            if paren:
                self.take()
            name = self.take()
            if paren:
                self.take()
            return int(name in self.cond.defines)
        if t[0].isdigit():
            return int(t, 0) if not re.fullmatch(r"0\d+", t) else int(t, 8)
        if self.peek() == "(":                  # function-like macro
            depth = 0
            while self.peek() is not None:
                p = self.take()
                depth += {"(": 1, ")": -1}.get(p, 0)
                if depth == 0:
                    break
            return 0
        if t in self.cond.defines and self.depth < 20:
            return self.cond.value(self.cond.defines[t] or "0", self.depth + 1)
        return 0


def active_text(text, cond, include=None, origin=None, seen_defines=None):
    """The non-directive lines cpp would keep, recording #defines in cond.

    include(name) may return the text of an included header to process in
    place; seen_defines, if given, maps each macro defined to its origin.
    """
    stack = []          # (enclosing block active, a branch was taken)
    active = True
    out = []
    for line in logical_lines(text):
        m = re.match(r"\s*#\s*(\w+)\s*(.*)", line)
        if not m:
            if active:
                out.append(line)
            continue
        word, arg = m.group(1), m.group(2).strip()
        if word in ("if", "ifdef", "ifndef"):
            name = arg.split()[0] if arg.split() else ""
            v = (name in cond.defines if word == "ifdef" else
                 name not in cond.defines if word == "ifndef" else
                 active and bool(cond.value(arg)))
            stack.append((active, active and v))
            active = active and v
        elif word == "elif":
            outer, taken = stack[-1]
            active = outer and not taken and bool(cond.value(arg))
            stack[-1] = (outer, taken or active)
        elif word == "else":
            outer, taken = stack[-1]
            active = outer and not taken
            stack[-1] = (outer, True)
        elif word == "endif":
            active = stack.pop()[0]
        elif not active:
            continue
        elif word == "define":
            dm = re.match(r"(\w+)(\()?\s*(.*)", arg)
            if dm and not dm.group(2):
                cond.defines[dm.group(1)] = dm.group(3).strip()
                if seen_defines is not None:
                    seen_defines[dm.group(1)] = origin
        elif word == "undef" and arg:
            cond.defines.pop(arg.split()[0], None)
        elif word == "include" and include:
            im = re.match(r"<([^>]+)>", arg)
            sub = include(im.group(1)) if im else None
            if sub is not None:
                out.append(active_text(sub, cond, include, im.group(1),
                                       seen_defines))
    return "\n".join(out)


# --------------------------------------------------------------------------
# The syscall table
# --------------------------------------------------------------------------

class Syscall:
    def __init__(self, name, nr_macro, number, impl):
        self.name = name            # as in lkl_sys_<name>, __lkl__NR_<name>
        self.nr_macro = nr_macro    # as in the table: __NR3264_fstat
        self.number = number
        self.impl = impl            # the kernel function: sys_newfstat


TABLE_ENTRY_RE = re.compile(
    r"\b(__SYSCALL|__SC_COMP|__SC_3264|__SC_COMP_3264)\s*\(([^)]*)\)")


def read_syscall_table(uapi):
    """The calls our asm/unistd.h numbers, as a 64-bit native kernel has them.

    asm/unistd.h sets the __ARCH_WANT_* switches and includes the generic
    table; __SC_3264 and __SC_COMP_3264 then name the 64-bit function,
    __SC_COMP the native one.  __NR3264_x calls are exported under their
    64-bit alias (__NR_fstat, __NR_newfstatat, __NR_lseek, ...).
    """
    cond = Conditions({"__BITS_PER_LONG": "64", "__CHAR_BIT__": "8",
                       "__SIZEOF_LONG__": "8"})

    def include(rel):
        path = os.path.join(uapi, rel)
        if rel.startswith(("asm/", "asm-generic/")) and os.path.isfile(path):
            with open(path) as f:
                return f.read()
        return None

    origin = {}
    with open(os.path.join(uapi, "asm/unistd.h")) as f:
        text = active_text(f.read(), cond, include, "asm/unistd.h", origin)

    alias = {v: n for n, v in cond.defines.items()
             if n.startswith("__NR_") and v.startswith("__NR3264_")}
    calls = []
    for kind, args in TABLE_ENTRY_RE.findall(text):
        args = [a.strip() for a in args.split(",")]
        nr = args[0]
        impl = args[2] if kind in ("__SC_3264", "__SC_COMP_3264") else args[1]
        exported = alias.get(nr, nr)
        if exported.startswith("__NR_") and nr in cond.defines:
            calls.append(Syscall(exported[len("__NR_"):], nr, cond.value(nr),
                                 impl))
    # the arch's own calls: the __NR_ macros asm/unistd.h itself defines
    for n in sorted(cond.defines):
        if n.startswith("__NR_") and origin.get(n) == "asm/unistd.h":
            calls.append(Syscall(n[len("__NR_"):], n, cond.value(n),
                                 "sys_" + n[len("__NR_"):]))
    return calls


# --------------------------------------------------------------------------
# Prototypes and their types
# --------------------------------------------------------------------------

PROTO_RE = re.compile(r"\basmlinkage\s+long\s+(sys_\w+)\s*\(([^;]*?)\)\s*;")
SYSCALL_DEFINE_RE = re.compile(r"\bSYSCALL_DEFINE\d\s*\(\s*(\w+)([^)]*)\)")

# Our arch's calls, should its source (SYSCALL_DEFINE) not be found.
ARCH_FALLBACK_PROTOS = {
    "sys_virtio_mmio_device_add": "long base, long size, unsigned int irq",
}


def read_prototypes(ksrc, arch_dirs):
    """sys_* -> parameter list, as the kernel declares it for a 64-bit
    arch without CONFIG_ARCH_HAS_SYSCALL_WRAPPER (or any other option)."""
    protos = {}
    for rel in ("include/linux/syscalls.h", "include/asm-generic/syscalls.h"):
        path = os.path.join(ksrc, rel)
        if not os.path.isfile(path):
            warn("missing %s" % path)
            continue
        with open(path) as f:
            text = active_text(f.read(), Conditions({"BITS_PER_LONG": "64"}))
        for name, args in PROTO_RE.findall(text):
            protos.setdefault(name, " ".join(args.split()))
    protos.update({k: v for k, v in ARCH_FALLBACK_PROTOS.items()
                   if k not in protos})
    # SYSCALL_DEFINEn(name, type, arg, ...) in the arch's sources wins
    for d in arch_dirs:
        for root, dirs, files in os.walk(d):
            dirs.sort()
            for fn in sorted(f for f in files if f.endswith(".c")):
                with open(os.path.join(root, fn), errors="replace") as f:
                    code, _ = split_code(f.read())
                for name, rest in SYSCALL_DEFINE_RE.findall(code):
                    items = [x.strip() for x in rest.split(",")[1:]]
                    protos["sys_" + name] = ", ".join(
                        "%s %s" % (items[i], items[i + 1])
                        for i in range(0, len(items) - 1, 2)) or "void"
    return protos


# Kernel-internal scalar types -> typedefs syscalls.h defines, and the uapi
# type (renamed) or plain C type each stands for.
KERNEL_TYPEDEFS = [
    ("size_t", "lkl_size_t", "__kernel_size_t"),
    ("ssize_t", "lkl_ssize_t", "__kernel_ssize_t"),
    ("loff_t", "lkl_loff_t", "__kernel_loff_t"),
    ("off_t", "lkl_off_t", "__kernel_off_t"),
    ("pid_t", "lkl_pid_t", "__kernel_pid_t"),
    ("uid_t", "lkl_uid_t", "__kernel_uid32_t"),
    ("gid_t", "lkl_gid_t", "__kernel_gid32_t"),
    ("qid_t", "lkl_qid_t", "__kernel_uid32_t"),
    ("umode_t", "lkl_umode_t", "unsigned short"),
    ("mode_t", "lkl_mode_t", "__kernel_mode_t"),
    ("dev_t", "lkl_dev_t", "__u32"),
    ("ino_t", "lkl_ino_t", "__kernel_ulong_t"),
    ("time_t", "lkl_time_t", "__kernel_old_time_t"),
    ("clockid_t", "lkl_clockid_t", "__kernel_clockid_t"),
    ("timer_t", "lkl_timer_t", "__kernel_timer_t"),
    ("mqd_t", "lkl_mqd_t", "__kernel_mqd_t"),
    ("key_t", "lkl_key_t", "__kernel_key_t"),
    ("key_serial_t", "lkl_key_serial_t", "__s32"),
    ("rwf_t", "lkl_rwf_t", "__kernel_rwf_t"),
    ("fd_set", "lkl_fd_set", "__kernel_fd_set"),
]

# Kernel structs syscalls take that the uapi does not export; the layouts
# are ABI (include/linux/dirent.h, include/linux/fs.h, linux/sched.h).
KERNEL_STRUCTS = {
    "linux_dirent64": r"""struct lkl_linux_dirent64 {
	__lkl__u64 d_ino;
	__lkl__s64 d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};
""",
    "file_handle": r"""struct lkl_file_handle {
	__lkl__u32 handle_bytes;
	int handle_type;
	unsigned char f_handle[];
};
""",
    "sched_param": r"""struct lkl_sched_param {
	int sched_priority;
};
""",
}

# Pointer parameters the kernel only reads but declares without const.
CONST_PARAMS = {
    "sys_mount": {"dev_name", "dir_name", "type", "data"},
    "sys_umount": {"name"},
    "sys_sethostname": {"name"},
    "sys_setdomainname": {"name"},
}

# Parameter names some C library #defines (renamed name_).
LIBC_MACRO_NAMES = {"errno", "linux", "unix", "i386", "stdin", "stdout",
                    "stderr", "major", "minor", "makedev"} | LIBC_MEMBER_MACROS

C_TYPE_WORDS = {"void", "char", "short", "int", "long", "signed", "unsigned"}
QUALIFIERS = {"const", "volatile"}
ANNOTATIONS = {"__user", "__force", "__iomem", "__rcu"}
SIZED_INT_RE = re.compile(r"(?:__)?([us])(8|16|32|64)|(u?)int(8|16|32|64)_t")


class TypeMapper:
    """Kernel parameter declarations -> public C ones; remembers which tags
    and uapi typedefs were used, for syscalls.h's includes."""

    def __init__(self, names):
        self.names = names
        self.kernel_typedefs = {k: pub for k, pub, _ in KERNEL_TYPEDEFS}
        self.used_tags = set()      # (keyword, public tag, kernel tag)
        self.used_typedefs = set()  # uapi typedefs, kernel spelling

    def is_type_word(self, t):
        return t in C_TYPE_WORDS or t in self.kernel_typedefs or \
            t in self.names.typedefs or t.endswith("_t") or \
            SIZED_INT_RE.fullmatch(t) is not None

    def split_param(self, text):
        """(type tokens, name or None): `int __user *fildes`, `unsigned`."""
        toks = [t for t in re.findall(r"[A-Za-z_]\w*|\*|\[[^\]]*\]", text)
                if t not in ANNOTATIONS]
        arrays = 0
        while toks and toks[-1].startswith("["):
            toks.pop()
            arrays += 1
        name = None
        if len(toks) >= 2 and toks[-1][0] != "*" and \
                toks[-2] not in ("struct", "union", "enum") and \
                toks[-1] not in QUALIFIERS and not self.is_type_word(toks[-1]):
            name = toks.pop()
        return toks + ["*"] * arrays, name

    def map_type(self, toks):
        """The public spelling of a kernel type; KeyError if there is none."""
        out, tag_next = [], False
        for t in toks:
            if tag_next:
                self.used_tags.add((out[-1], lkl_name(t), t))
                out.append(lkl_name(t))
                tag_next = False
            elif t in ("struct", "union", "enum"):
                out.append(t)
                tag_next = True
            elif t in C_TYPE_WORDS or t in QUALIFIERS or t == "*":
                out.append(t)
            elif t in self.names.typedefs:
                out.append(lkl_name(t))
                self.used_typedefs.add(t)
            elif t in self.kernel_typedefs:
                out.append(self.kernel_typedefs[t])
            elif SIZED_INT_RE.fullmatch(t):
                # u32, __s64, uint32_t -> __lkl__u32, __lkl__s64, __lkl__u32
                s, bits, us, ubits = SIZED_INT_RE.fullmatch(t).groups()
                base = "__%s%s" % ((s, bits) if bits else
                                   ("u" if us else "s", ubits))
                self.used_typedefs.add(base)
                out.append(lkl_name(base))
            else:
                raise KeyError(t)
        return render_type(out)


def render_type(toks):
    """Kernel style: `const char *const *`."""
    s = ""
    for t in toks:
        if t == "*":
            s += "*" if s.endswith("*") else " *"
        elif s.endswith("*"):
            s += t
        else:
            s += (" " if s else "") + t
    return s.strip()


def declaration(ctype, name):
    return ctype + ("" if ctype.endswith("*") else " ") + name


def build_wrappers(calls, protos, mapper):
    """[(call, [(type, name)])] for every call whose prototype maps, and
    [(call, reason)] for the others."""
    wrappers, skipped = [], []
    for call in calls:
        if call.impl == "sys_ni_syscall":
            skipped.append((call, "not implemented (sys_ni_syscall)"))
            continue
        proto = protos.get(call.impl)
        if proto is None:
            skipped.append((call, "no prototype for %s" % call.impl))
            continue
        items = split_top_level(proto) if proto not in ("", "void") else []
        if len(items) > 6:
            skipped.append((call, "more than 6 parameters"))
            continue
        params = []
        try:
            for i, item in enumerate(items, 1):
                toks, name = mapper.split_param(item)
                name = name or "arg%d" % i
                if name in CONST_PARAMS.get(call.impl, ()) and \
                        "*" in toks and "const" not in toks:
                    toks = ["const"] + toks
                if name in LIBC_MACRO_NAMES:
                    name += "_"
                params.append((mapper.map_type(toks), name))
        except KeyError as e:
            skipped.append((call, "no public type for '%s' in %s" %
                            (e.args[0], call.impl)))
            continue
        wrappers.append((call, params))
    return wrappers, skipped


# --------------------------------------------------------------------------
# ABI constants only the kernel's internal headers define
# --------------------------------------------------------------------------

# (kernel header, names): the values callers pass to socket(), umount2(),
# ... which programs otherwise get from their C library.
KERNEL_CONSTANTS = [
    ("include/linux/socket.h", r"(AF|PF|MSG|SOL|SCM)_\w+|SOMAXCONN"),
    ("include/linux/net.h",
     r"SOCK_(STREAM|DGRAM|RAW|RDM|SEQPACKET|DCCP|PACKET|MAX|TYPE_MASK|"
     r"CLOEXEC|NONBLOCK)|SHUT_\w+"),
    ("include/linux/fs.h", r"MNT_(FORCE|DETACH|EXPIRE)|UMOUNT_\w+"),
    ("include/linux/fs_types.h", r"DT_\w+"),
    ("include/linux/splice.h", r"SPLICE_F_\w+"),
]

# access() modes: C library ABI the kernel checks but never names.
FIXED_CONSTANTS = [("F_OK", "0"), ("X_OK", "1"), ("W_OK", "2"), ("R_OK", "4")]


def enum_values(code):
    """(enumerator, value) for enums whose values are plain integers."""
    for m in re.finditer(r"\benum\b\s*\w*\s*\{([^}]*)\}", code):
        nxt = 0
        for item in split_top_level(m.group(1)):
            im = re.match(r"\s*(\w+)\s*(?:=\s*(.+?))?\s*$", item)
            if not im:
                continue
            if im.group(2):
                try:
                    nxt = int(im.group(2), 0)
                except ValueError:
                    nxt = None
            if nxt is not None:
                yield im.group(1), str(nxt)
                nxt += 1


def kernel_constants(ksrc, names):
    """[(public name, value)] for KERNEL_CONSTANTS and FIXED_CONSTANTS.

    Taken as cpp sees them with no CONFIG_ option set.  A value naming
    anything but another such constant or a uapi name is dropped (DT_MAX
    needs the kernel's S_DT_MASK), and so is a name the uapi defines.
    """
    found = []
    for rel, pattern in KERNEL_CONSTANTS:
        path = os.path.join(ksrc, rel)
        if not os.path.isfile(path):
            warn("missing %s: its constants are not exported" % path)
            continue
        cond = Conditions()
        with open(path) as f:
            code = active_text(f.read(), cond)
        candidates = list(cond.defines.items()) + list(enum_values(code))
        found += [(n, v) for n, v in candidates
                  if v and re.fullmatch(pattern, n)]
    found += FIXED_CONSTANTS

    ours = {n for n, _ in found} - names.renamed
    result, seen = [], set()
    for name, value in found:
        if name in seen or name not in ours:
            continue
        refs = set(re.findall(r"\b[A-Za-z_]\w*", value))   # not 0x10, 1UL
        if refs - ours - names.renamed:
            continue
        result.append((lkl_name(name), re.sub(
            r"\b[A-Za-z_]\w*", lambda m: lkl_name(m.group()), value)))
        seen.add(name)
    return result


# --------------------------------------------------------------------------
# syscalls.h
# --------------------------------------------------------------------------

# Always included: what the typedefs and helpers need, and what most
# programs use.
SYSCALLS_H_BASE_INCLUDES = [
    "asm/unistd.h", "linux/types.h", "linux/posix_types.h", "linux/fcntl.h",
    "linux/stat.h", "linux/fs.h", "linux/errno.h", "linux/time_types.h",
    "linux/poll.h", "linux/eventpoll.h", "linux/signal.h", "linux/socket.h",
    "linux/uio.h",
]

# Classic calls the generic table has only in their *at / *2 form, named
# and typed like upstream LKL's helpers so ported programs compile.
# (name, calls used, parameters, body)
HELPERS = [
    ("open", ["openat"], "const char *file, int flags, int mode",
     "return lkl_sys_openat(LKL_AT_FDCWD, file, flags, mode);"),
    ("creat", ["openat"], "const char *file, int mode",
     "return lkl_sys_openat(LKL_AT_FDCWD, file,\n"
     "\t\t\t      LKL_O_CREAT | LKL_O_WRONLY | LKL_O_TRUNC, mode);"),
    ("fstatat", ["newfstatat"],
     "int dfd, const char *path, struct lkl_stat *buf, int flags",
     "return lkl_sys_newfstatat(dfd, path, buf, flags);"),
    ("stat", ["newfstatat"], "const char *path, struct lkl_stat *buf",
     "return lkl_sys_newfstatat(LKL_AT_FDCWD, path, buf, 0);"),
    ("lstat", ["newfstatat"], "const char *path, struct lkl_stat *buf",
     "return lkl_sys_newfstatat(LKL_AT_FDCWD, path, buf,\n"
     "\t\t\t\t  LKL_AT_SYMLINK_NOFOLLOW);"),
    ("mkdir", ["mkdirat"], "const char *path, lkl_umode_t mode",
     "return lkl_sys_mkdirat(LKL_AT_FDCWD, path, mode);"),
    ("rmdir", ["unlinkat"], "const char *path",
     "return lkl_sys_unlinkat(LKL_AT_FDCWD, path, LKL_AT_REMOVEDIR);"),
    ("unlink", ["unlinkat"], "const char *path",
     "return lkl_sys_unlinkat(LKL_AT_FDCWD, path, 0);"),
    ("access", ["faccessat"], "const char *path, int mode",
     "return lkl_sys_faccessat(LKL_AT_FDCWD, path, mode);"),
    ("rename", ["renameat2"], "const char *oldpath, const char *newpath",
     "return lkl_sys_renameat2(LKL_AT_FDCWD, oldpath, LKL_AT_FDCWD, "
     "newpath, 0);"),
    ("link", ["linkat"], "const char *oldpath, const char *newpath",
     "return lkl_sys_linkat(LKL_AT_FDCWD, oldpath, LKL_AT_FDCWD, newpath, "
     "0);"),
    ("symlink", ["symlinkat"], "const char *target, const char *linkpath",
     "return lkl_sys_symlinkat(target, LKL_AT_FDCWD, linkpath);"),
    ("readlink", ["readlinkat"], "const char *path, char *buf, int bufsiz",
     "return lkl_sys_readlinkat(LKL_AT_FDCWD, path, buf, bufsiz);"),
    ("chmod", ["fchmodat"], "const char *path, lkl_umode_t mode",
     "return lkl_sys_fchmodat(LKL_AT_FDCWD, path, mode);"),
    ("chown", ["fchownat"], "const char *path, lkl_uid_t uid, lkl_gid_t gid",
     "return lkl_sys_fchownat(LKL_AT_FDCWD, path, uid, gid, 0);"),
    ("lchown", ["fchownat"], "const char *path, lkl_uid_t uid, lkl_gid_t gid",
     "return lkl_sys_fchownat(LKL_AT_FDCWD, path, uid, gid,\n"
     "\t\t\t\tLKL_AT_SYMLINK_NOFOLLOW);"),
    ("mknod", ["mknodat"],
     "const char *path, lkl_umode_t mode, unsigned int dev",
     "return lkl_sys_mknodat(LKL_AT_FDCWD, path, mode, dev);"),
    ("pipe", ["pipe2"], "int fds[2]",
     "return lkl_sys_pipe2(fds, 0);"),
    ("dup2", ["dup3", "fcntl"], "unsigned int oldfd, unsigned int newfd",
     "/* dup3 refuses oldfd == newfd; dup2 checks oldfd is open instead */\n"
     "\tif (oldfd == newfd) {\n"
     "\t\tlong ret = lkl_sys_fcntl(oldfd, LKL_F_GETFD, 0);\n\n"
     "\t\treturn ret < 0 ? ret : (long)newfd;\n"
     "\t}\n"
     "\treturn lkl_sys_dup3(oldfd, newfd, 0);"),
    ("poll", ["ppoll"],
     "struct lkl_pollfd *fds, unsigned int nfds, int timeout",
     "struct __lkl__kernel_timespec ts;\n\n"
     "\tts.tv_sec = timeout / 1000;\n"
     "\tts.tv_nsec = (timeout % 1000) * 1000000L;\n"
     "\treturn lkl_sys_ppoll(fds, nfds, timeout < 0 ? 0 : &ts, 0,\n"
     "\t\t\t     sizeof(lkl_sigset_t));"),
    ("select", ["pselect6"],
     "int nfds, lkl_fd_set *rfds, lkl_fd_set *wfds, lkl_fd_set *efds, "
     "struct __lkl__kernel_old_timeval *tv",
     "/* as Linux's select(), *tv is updated with the time not slept */\n"
     "\tstruct __lkl__kernel_timespec ts;\n"
     "\tlong ret;\n\n"
     "\tif (tv) {\n"
     "\t\tts.tv_sec = tv->tv_sec;\n"
     "\t\tts.tv_nsec = tv->tv_usec * 1000L;\n"
     "\t}\n"
     "\tret = lkl_sys_pselect6(nfds, rfds, wfds, efds, tv ? &ts : 0, 0);\n"
     "\tif (tv) {\n"
     "\t\ttv->tv_sec = ts.tv_sec;\n"
     "\t\ttv->tv_usec = ts.tv_nsec / 1000;\n"
     "\t}\n"
     "\treturn ret;"),
    ("epoll_create", ["epoll_create1"], "int size",
     "if (size <= 0)\n\t\treturn -LKL_EINVAL;\n"
     "\treturn lkl_sys_epoll_create1(0);"),
    ("epoll_wait", ["epoll_pwait"],
     "int epfd, struct lkl_epoll_event *events, int maxevents, int timeout",
     "return lkl_sys_epoll_pwait(epfd, events, maxevents, timeout, 0,\n"
     "\t\t\t\t   sizeof(lkl_sigset_t));"),
    ("inotify_init", ["inotify_init1"], "void",
     "return lkl_sys_inotify_init1(0);"),
    ("eventfd", ["eventfd2"], "unsigned int count",
     "return lkl_sys_eventfd2(count, 0);"),
]


def wrap_args(args, indent):
    """A comma list broken so lines stay within 80 columns."""
    if indent + len(args) < 79:
        return args
    pad = "\t" * (indent // 8) + " " * (indent % 8)
    lines, cur = [], ""
    for part in args.split(", "):
        if cur and indent + len(cur) + 2 + len(part) >= 79:
            lines.append(cur + ",")
            cur = part
        else:
            cur = cur + ", " + part if cur else part
    return ("\n" + pad).join(lines + [cur])


def syscalls_h_includes(mapper, names, graph, libc):
    """The base headers, plus those defining the types wrappers mention
    unless they need a C library (such types stay incomplete: they are
    only passed by pointer)."""
    base = [h for h in SYSCALLS_H_BASE_INCLUDES if h in graph]
    wanted = {names.tags.get(orig) for _, _, orig in mapper.used_tags}
    wanted |= {names.typedefs.get(t) for t in mapper.used_typedefs}
    wanted -= set(base) | {None}
    return base + sorted(h for h in wanted if h not in libc)


def syscall_header(wrappers, mapper, names, graph, libc, constants):
    includes = syscalls_h_includes(mapper, names, graph, libc)
    visible = set()
    for h in includes:
        visible |= closure(h, graph)
    done = {w[0].name for w in wrappers}

    o = ["/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */\n"
         "/*\n"
         " * Generated by lkl/scripts/gen-headers.py: a typed wrapper for "
         "every system\n"
         " * call of the library kernel.  Each packs its arguments into "
         "long[6] for\n"
         " * lkl_syscall(), which returns the raw kernel result "
         "(-errno on failure).\n"
         " */\n"
         "#ifndef _LKL_SYSCALLS_H\n#define _LKL_SYSCALLS_H\n\n"]
    o += ["#include <lkl/%s>\n" % h for h in includes]
    o.append("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
             "/* params[6]; returns the kernel's raw result, -errno on "
             "failure. */\n"
             "long lkl_syscall(long no, long *params);\n\n")

    o.append("/* Kernel-internal types the prototypes use. */\n")
    for kname, pub, meaning in KERNEL_TYPEDEFS:
        if kname in names.typedefs:
            continue                            # the uapi has it: lkl_<name>
        if " " not in meaning:
            if meaning not in names.typedefs:
                warn("%s: no %s in the uapi, using long" % (pub, meaning))
                meaning = "long"
            else:
                meaning = lkl_name(meaning)
        o.append("typedef %s %s;\n" % (meaning, pub))

    o.append("\n/* ABI constants the uapi leaves to the C library. */\n")
    o += ["#define %s %s\n" % c for c in constants]

    o.append("\n/* Kernel structs the uapi does not export. */\n")
    declared = set()
    for kw, tag, orig in sorted(mapper.used_tags):
        if orig in KERNEL_STRUCTS and tag not in declared:
            o.append(KERNEL_STRUCTS[orig] + "\n")
            declared.add(tag)
    for kw, tag, orig in sorted(mapper.used_tags):
        if tag not in declared and names.tags.get(orig) not in visible:
            o.append("%s %s;\t/* only passed by pointer */\n" % (kw, tag))
            declared.add(tag)

    for call, params in wrappers:
        head = "static inline long lkl_sys_%s(" % call.name
        args = ", ".join(declaration(t, n) for t, n in params) or "void"
        init = "\tlong lkl_params[6] = { "
        vals = ", ".join("(long)%s" % n for _, n in params) or "0"
        o.append("\n#ifdef __lkl__NR_%s\n/* %s */\n" % (call.name, call.impl))
        o.append("%s%s)\n{\n" % (head, wrap_args(args, len(head))))
        o.append("%s%s };\n\n" % (init, wrap_args(vals, len(init) + 7)))
        o.append("\treturn lkl_syscall(__lkl__NR_%s, lkl_params);\n}\n"
                 "#endif\n" % call.name)

    o.append("\n/* Classic calls, on top of their *at and *2 forms. */\n")
    for name, uses, proto, body in HELPERS:
        if name in done or not all(u in done for u in uses):
            continue
        head = "static inline long lkl_sys_%s(" % name
        o.append("\n#if %s\n" % " && ".join("defined(__lkl__NR_%s)" % u
                                             for u in uses))
        o.append("%s%s)\n{\n\t%s\n}\n#endif\n"
                 % (head, wrap_args(proto, len(head)), body))

    o.append("\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n")
    return "".join(o)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def write_if_changed(path, text):
    """Leave unchanged files (and their mtimes, which make sees) alone."""
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(
        description="Generate liblkl's prefixed uapi headers and syscalls.h.")
    ap.add_argument("--uapi", required=True, help="installed uapi include "
                    "dir (INSTALL_HDR_PATH/include of headers_install)")
    ap.add_argument("--ksrc", required=True, help="kernel source tree")
    ap.add_argument("--out", required=True, help="include dir to create "
                    "lkl/ in")
    ap.add_argument("--extra", action="append", default=[], metavar="HDR",
                    help="another uapi header to export (linux/bpf.h)")
    ap.add_argument("--arch-src", action="append", default=[], metavar="DIR",
                    help="sources with the SYSCALL_DEFINE of our arch's own "
                    "calls (default: KSRC/arch/lkl, else this script's "
                    "../arch/lkl)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print a summary")
    a = ap.parse_args()

    uapi = os.path.abspath(a.uapi)
    for must in ("asm/unistd.h", "asm-generic/unistd.h", "linux/types.h"):
        if not os.path.isfile(os.path.join(uapi, must)):
            sys.exit("gen-headers: no %s in %s: not an installed uapi dir"
                     % (must, uapi))

    headers, graph = reachable_headers(uapi, ROOT_HEADERS + a.extra)
    names = collect_names(uapi, headers)
    out = os.path.join(a.out, "lkl")
    for rel in headers:
        write_if_changed(os.path.join(out, rel),
                         convert_header(uapi, rel, names))

    arch_dirs = a.arch_src or [
        d for d in (os.path.join(a.ksrc, "arch/lkl"),
                    os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 os.pardir, "arch/lkl"))
        if os.path.isdir(d)][:1]
    calls = read_syscall_table(uapi)
    mapper = TypeMapper(names)
    wrappers, skipped = build_wrappers(
        calls, read_prototypes(a.ksrc, arch_dirs), mapper)
    write_if_changed(os.path.join(out, "syscalls.h"),
                     syscall_header(wrappers, mapper, names, graph,
                                    libc_users(graph),
                                    kernel_constants(a.ksrc, names)))

    unmapped = [(c, why) for c, why in skipped if c.impl != "sys_ni_syscall"]
    for call, why in unmapped:
        warn("no lkl_sys_%s (%s): %s" % (call.name, call.nr_macro, why))
    if a.verbose:
        print("gen-headers: %d headers, %d syscalls: %d wrapped, "
              "%d sys_ni_syscall, %d without a prototype or type" %
              (len(headers), len(calls), len(wrappers),
               len(skipped) - len(unmapped), len(unmapped)))


if __name__ == "__main__":
    main()
