"""Another local user's view of a grading run: run by the test as that user (setpriv), never imported.

    python boundary_probe.py TEMP_DIR

Reads one JSON request per line on stdin (``{"ports": [...]}``: the grader's
listening ports, which the test, as root, knows) and answers each with one
JSON line: what this user could do, as an attacker would, with what the
machine shows every user (each port is attacked once, in the first round
that names it):

- ``/proc/net/tcp``/``tcp6`` (world-readable): each requested port's listening
  address and owner uid as listed there;
- each such port as a Dask scheduler, worker or nanny: a plain ``tcp://``
  connection and a ``tls://`` one with a key of this user's own, each asked
  for its identity (the first thing a ``Client`` does; with it, ``client.run``
  runs code on the workers); and an HTTP GET of the dashboard's pages;
- the temporary folder: its listing, then every folder below it listed and
  every file opened, plus every path under it that any process's command line
  names (``/proc/*/cmdline`` is world-readable: bwrap's arguments name the
  kernels' folders).

EOF on stdin ends it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import stat
import sys
from pathlib import Path

from distributed.comm import connect
from distributed.security import Security

HTTP_PAGES = ["/info/main/workers.html", "/json/identity.json", "/health", "/metrics"]
TIMEOUT = 3.0


def listening() -> dict[int, dict[str, object]]:
    """Port -> {address, uid} of every listening TCP socket, from /proc/net/tcp and tcp6."""
    found: dict[int, dict[str, object]] = {}
    for table, family in [("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)]:
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, uid = fields[1], fields[3], int(fields[7])
            if state != "0A":  # TCP_LISTEN
                continue
            address_hex, port_hex = local.split(":")
            raw = bytes.fromhex(address_hex)
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found[int(port_hex, 16)] = {"address": socket.inet_ntop(family, raw), "uid": uid}
    return found


async def dask_identity(address: str, security: Security | None) -> str:
    """"answered: ..." if the Dask server at ``address`` told this user who it is, else why not."""
    try:
        kwargs = security.get_connection_args("client") if security else {}
        # Dask's own timeout does not bound a handshake with a server that never answers (an HTTP port).
        comm = await asyncio.wait_for(connect(address, timeout=TIMEOUT, **kwargs), 2 * TIMEOUT)
    except Exception as error:  # refused, reset, handshake failure, timeout: what the test wants
        return f"refused: {type(error).__name__}: {error}"[:300]
    try:
        await comm.write({"op": "identity", "reply": True})
        answer = await asyncio.wait_for(comm.read(), TIMEOUT)
        return f"answered: {answer}"[:300]
    except Exception as error:
        return f"closed: {type(error).__name__}: {error}"[:300]
    finally:
        comm.abort()


def http_get(port: int, page: str) -> str:
    """Status and first bytes of a dashboard page on the port ("no answer: ..." when none)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", page)
        response = connection.getresponse()
        return f"{page} {response.status} {response.read(200)!r}"
    except Exception as error:
        return f"{page} no answer: {type(error).__name__}"
    finally:
        connection.close()


def walk(temp: Path) -> dict[str, list[str]]:
    """What this user sees of ``temp`` (its entries), which folders below it it can list, which files read."""
    seen = sorted(os.listdir(temp))
    named = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        named |= {w.decode(errors="replace") for w in words if w.startswith(str(temp).encode() + b"/")}
    listed, read = [], []
    todo = [temp / name for name in seen] + [Path(p) for p in sorted(named)]
    done: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in done:
            continue
        done.add(path)
        try:
            is_folder = stat.S_ISDIR(os.lstat(path).st_mode)
        except OSError:  # its folder cannot be entered: what the run's 0700 folders should give
            continue
        if is_folder:
            try:
                names = os.listdir(path)
            except OSError:
                continue
            listed.append(str(path))
            todo += [path / name for name in names]
        else:
            try:
                with open(path, "rb") as file:
                    file.read(1)
                read.append(str(path))
            except OSError:
                pass
    return {"seen": seen, "named_by_processes": sorted(named), "listed": listed, "read": read}


async def attack(port: int, foreign: Security) -> dict[str, object]:
    """Every attack on one port at once: a round lasts one timeout, however many ports there are."""
    plain, tls, *pages = await asyncio.gather(
        dask_identity(f"tcp://127.0.0.1:{port}", None), dask_identity(f"tls://127.0.0.1:{port}", foreign),
        *(asyncio.to_thread(http_get, port, page) for page in HTTP_PAGES))
    return {"dask_tcp": plain, "dask_tls": tls, "http": pages}


async def probe(ports: list[int], attacked: set[int], foreign: Security, temp: Path) -> dict[str, object]:
    """One round: the ports not attacked in an earlier round, then the temporary folder."""
    table = listening()
    fresh = [port for port in ports if port not in attacked]
    attacked.update(fresh)
    results = await asyncio.gather(*(attack(port, foreign) for port in fresh))
    return {"uid": os.getuid(), "ports": {port: {"listed": table.get(port), **result}
                                          for port, result in zip(fresh, results, strict=True)}, "temp": walk(temp)}


def main() -> None:
    temp = Path(sys.argv[1])
    print(json.dumps({"ready": os.getuid()}), flush=True)
    foreign = Security.temporary()  # TLS, but not the grader's key
    attacked: set[int] = set()
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(asyncio.run(probe(request["ports"], attacked, foreign, temp))), flush=True)


if __name__ == "__main__":
    main()
