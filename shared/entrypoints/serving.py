"""Serving one instance: its HTTP port for agency systems, clerks and operators, and beside it, on the same
event loop and app, its peer listener (port + 50) where other regions' instances make point-to-point reads
over mutual TLS.

uvicorn does not pass the client's certificate to the app, so the peer listener's protocol adds the ASGI
TLS extension (`scope["extensions"]["tls"]`) itself; the gate takes the calling instance from it.

An instance served by several processes (`settings.processes` > 1, yrd/processes.py supervises them):
each binds both listeners with SO_REUSEPORT, and the kernel spreads the connections over them.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Generator
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.core.settings import Settings

_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


class TLSHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, handing each request the connection's TLS facts (ASGI TLS extension)."""

    _tls: dict[str, Any] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        der = ssl_object.getpeercert(True)
        self._tls = {
            "server_cert": None,
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
            "client_cert_name": None,
            "client_cert_error": None,
            "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
            "cipher_suite": None,
        }

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._tls is not None:
            self.scope["extensions"] = {"tls": self._tls}  # type: ignore[typeddict-unknown-key]


class _Server(uvicorn.Server):
    """uvicorn's server, looking up once a second instead of ten times (an idle instance's cost): the Date
    header is refreshed on every look (uvicorn does so when the counter is a multiple of 10), and a
    shutdown is noticed within a second."""

    async def main_loop(self) -> None:
        while not await self.on_tick(0):
            await asyncio.sleep(1.0)


class _PeerServer(_Server):
    """The peer listener: it stops when the main server does; the main server owns signals and lifespan."""

    def __init__(self, config: uvicorn.Config, main: uvicorn.Server) -> None:
        super().__init__(config)
        self.main = main

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def on_tick(self, counter: int) -> bool:
        return self.main.should_exit or await super().on_tick(counter)


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening socket the instance's other processes bind too."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve(app: Any, settings: Settings) -> None:
    options: dict[str, Any] = {"log_config": None, "access_log": False, "loop": "uvloop"}
    # The C event loop and HTTP parser, not asyncio's and h11's.
    main_config = uvicorn.Config(
        app, host=settings.host, port=settings.port, http="httptools", timeout_graceful_shutdown=10, **options
    )
    main = _Server(main_config)
    shared = settings.processes > 1
    main_sockets = [reuse_port_socket(settings.host, settings.port)] if shared else None
    if not settings.peer_tls:
        main.run(sockets=main_sockets)
        return
    # Read now: a missing or bad certificate stops the start, with its reason.
    context = settings.instance_tls.server_context()
    peer = _PeerServer(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.peer_port,
            http=TLSHttpToolsProtocol,
            lifespan="off",  # one app, started and stopped once, by the main server
            ssl_context_factory=lambda _config, _default: context,
            timeout_graceful_shutdown=5,
            **options,
        ),
        main,
    )

    peer_sockets = [reuse_port_socket(settings.host, settings.peer_port)] if shared else None

    async def both() -> None:
        async def listen_once_started() -> None:
            while not main.started and not main.should_exit:  # the app's lifespan has started the runtime
                await asyncio.sleep(0.05)
            if not main.should_exit:
                await peer.serve(sockets=peer_sockets)

        listener = asyncio.create_task(listen_once_started())
        await main.serve(sockets=main_sockets)
        await listener

    with asyncio.Runner(loop_factory=main_config.get_loop_factory()) as runner:
        runner.run(both())
