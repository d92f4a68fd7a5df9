# SPDX-License-Identifier: Apache-2.0
"""A raw PostgreSQL v3 protocol client for integration tests: builds frontend messages byte by
byte (so a test can send exactly what a driver sends, malformed messages included), writes a
whole pipeline in one go, and decodes the backend messages up to the ReadyForQuery answers it
expects.

    c = WireConn.tcp("127.0.0.1", port, user="basket", database="basket")
    msgs = c.roundtrip(parse("", "select $1::int4") + bind("", "", params=[b"5"]) +
                       execute("") + sync())
    print(render(msgs))
"""

import socket
import struct


def be16(v):
    return struct.pack("!H", v & 0xFFFF)


def be32(v):
    return struct.pack("!I", v & 0xFFFFFFFF)


def cstr(s):
    return (s.encode() if isinstance(s, str) else s) + b"\0"


def msg(t, body=b""):
    return t.encode() + be32(len(body) + 4) + body


def query(sql):
    return msg("Q", cstr(sql))


def parse(name, sql, types=()):
    return msg("P", cstr(name) + cstr(sql) + be16(len(types)) + b"".join(be32(t) for t in types))


def bind(portal, stmt, pformats=(), params=(), rformats=()):
    """params: bytes/str values, None for NULL."""
    b = cstr(portal) + cstr(stmt) + be16(len(pformats)) + b"".join(be16(f) for f in pformats)
    b += be16(len(params))
    for p in params:
        if p is None:
            b += be32(-1)
        else:
            p = p.encode() if isinstance(p, str) else p
            b += be32(len(p)) + p
    return msg("B", b + be16(len(rformats)) + b"".join(be16(f) for f in rformats))


def describe(kind, name):
    return msg("D", kind.encode() + cstr(name))


def execute(portal, max_rows=0):
    return msg("E", cstr(portal) + be32(max_rows))


def close(kind, name):
    return msg("C", kind.encode() + cstr(name))


def sync():
    return msg("S")


def flush():
    return msg("H")


class WireConn:
    def __init__(self, sock, user, database):
        self.s = sock
        self.buf = b""
        body = be32(196608) + cstr("user") + cstr(user) + cstr("database") + cstr(database) + b"\0"
        self.s.sendall(be32(len(body) + 4) + body)
        self.startup = self.read_until_ready(1)

    @classmethod
    def tcp(cls, host, port, user, database):
        return cls(socket.create_connection((host, port), timeout=30), user, database)

    @classmethod
    def unix(cls, directory, port, user, database):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        s.connect(f"{directory}/.s.PGSQL.{port}")
        return cls(s, user, database)

    def _next(self):
        while True:
            if len(self.buf) >= 5:
                n = struct.unpack("!I", self.buf[1:5])[0]
                if len(self.buf) >= 1 + n:
                    t, body = chr(self.buf[0]), self.buf[5:1 + n]
                    self.buf = self.buf[1 + n:]
                    return t, body
            d = self.s.recv(1 << 16)
            if not d:
                raise ConnectionError("server closed the connection")
            self.buf += d

    def read_until_ready(self, n_ready):
        out = []
        while n_ready > 0:
            t, body = self._next()
            out.append((t, body))
            if t == "Z":
                n_ready -= 1
        return out

    def roundtrip(self, data, n_ready=None):
        """Sends `data`; reads up to as many ReadyForQuery as it has Sync and Query messages
        (unless given)."""
        if n_ready is None:
            n_ready = count_ready(data)
        self.s.sendall(data)
        return self.read_until_ready(n_ready)

    def close(self):
        try:
            self.s.sendall(msg("X"))
        finally:
            self.s.close()


def count_ready(data):
    n, i = 0, 0
    while i < len(data):
        t = chr(data[i])
        length = struct.unpack("!I", data[i + 1:i + 5])[0]
        n += t in "SQ" or t == "F"
        i += 1 + length
    return n


def error_fields(body):
    f, i = {}, 0
    while i < len(body) and body[i] != 0:
        j = body.index(b"\0", i + 1)
        f[chr(body[i])] = body[i + 1:j].decode(errors="replace")
        i = j + 1
    return f


def render(msgs, table_oids=False, context=False):
    """One line per message, comparable across servers: RowDescription without the source
    table's OID and column number (servers number tables differently) unless `table_oids`;
    ErrorResponse as severity, SQLSTATE, message, detail and hint (file, line and routine are
    the server's own; CONTEXT only when `context`)."""
    lines = []
    for t, b in msgs:
        if t in "EN":
            f = error_fields(b)
            line = f"{t} {f.get('S')} {f.get('V')} {f.get('C')} {f.get('M')!r}"
            for k in "DHP" + ("W" if context else ""):
                if k in f:
                    line += f" {k}={f[k]!r}"
            lines.append(line)
        elif t == "T":
            n = struct.unpack("!H", b[:2])[0]
            i, cols = 2, []
            for _ in range(n):
                j = b.index(b"\0", i)
                name = b[i:j].decode()
                i = j + 1
                tab, att, oid, ln, mod, fm = struct.unpack("!IhIhih", b[i:i + 18])
                i += 18
                col = f"{name}:{oid}:{ln}:{mod}:{fm}"
                if table_oids:
                    col += f":{tab}.{att}"
                cols.append(col)
            lines.append("T " + " ".join(cols))
        elif t == "D":
            n = struct.unpack("!H", b[:2])[0]
            i, vals = 2, []
            for _ in range(n):
                ln = struct.unpack("!i", b[i:i + 4])[0]
                i += 4
                if ln < 0:
                    vals.append("NULL")
                else:
                    vals.append(b[i:i + ln].hex())
                    i += ln
            lines.append("D " + "|".join(vals))
        elif t == "t":
            n = struct.unpack("!H", b[:2])[0]
            lines.append("t " + " ".join(str(struct.unpack("!I", b[2 + 4 * k:6 + 4 * k])[0])
                                         for k in range(n)))
        elif t in "CS":
            lines.append(t + " " + b.rstrip(b"\0").replace(b"\0", b"=").decode())
        elif t == "Z":
            lines.append("Z " + b.decode())
        else:
            lines.append(t + (" " + b.hex() if b else ""))
    return "\n".join(lines)
