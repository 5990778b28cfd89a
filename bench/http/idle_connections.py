#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, makes one request on each, prints 'ready'
and holds them idle until killed (bench/http/run.sh measures other clients meanwhile)."""
import resource
import socket
import sys
import time

port, count = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 64)), hard))


def complete(response):
    """True once the head and its Content-Length body have arrived."""
    head, separator, body = response.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


held = []
for _ in range(count):
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
    response = b""
    while not complete(response):
        chunk = connection.recv(4096)
        if not chunk:
            sys.exit("connection closed early")
        response += chunk
    held.append(connection)
print("ready", flush=True)
time.sleep(3600)
