"""The inter-region network of the zone: one TCP link per (cluster, reading region), cut and healed on
demand, so a partition between regions is made where it happens in life, between them.

`python -m yrd.zone.links STATE_DIR [--offset N]` runs every link of the layout and a small
control endpoint on 127.0.0.1:(9180 + N):
  GET  /links                      each link and whether it is cut
  POST /regions/{region}/cut       cut every link into and out of the region (open connections are reset)
  POST /regions/{region}/heal      restore them
A cut link refuses new connections at once, so clients see the partition instead of waiting on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from enum import StrEnum
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from shared.contracts.regions import Region
from yrd.zone.layout import Link, ZoneLayout

log = logging.getLogger("yrd.zone.links")


class Action(StrEnum):
    CUT = "cut"
    HEAL = "heal"


class LinkProxy:
    """Copies bytes both ways between a link's port and the broker listener behind it, while not cut."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.cut = False
        self._open: set[asyncio.StreamWriter] = set()

    async def serve(self) -> asyncio.Server:
        return await asyncio.start_server(self._accept, "127.0.0.1", self.link.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.link.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, up_writer}
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._open -= {writer, up_writer}
            for end in (writer, up_writer):
                end.transport.abort()

    def set_cut(self, cut: bool) -> None:
        self.cut = cut
        if cut:
            for writer in list(self._open):
                writer.transport.abort()  # a reset, as when the route between the regions goes away


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    sink.transport.abort()


def control(proxies: list[LinkProxy]) -> FastAPI:
    app = FastAPI(title="YRD zone links", openapi_url=None, docs_url=None, redoc_url=None)

    def state() -> dict[str, bool]:
        return {p.link.name: p.cut for p in proxies}

    @app.get("/links")
    def links() -> dict[str, bool]:
        return state()

    @app.post("/regions/{region}/{action}")
    def switch(region: Region, action: Action) -> dict[str, bool]:
        for proxy in proxies:
            if region in (proxy.link.source, proxy.link.reader):
                proxy.set_cut(action is Action.CUT)
        log.warning("zone links: %s %s", action, region.value)
        return state()

    return app


def switch(layout: ZoneLayout, region: Region, action: Action) -> dict[str, bool]:
    """Ask a running zone's links to cut or heal `region`; answer every link's state (httpx errors raise)."""
    url = f"http://127.0.0.1:{layout.control_port}/regions/{region.value}/{Action(action).value}"
    answer = httpx.post(url, timeout=5)
    answer.raise_for_status()
    return answer.json()


async def run(layout: ZoneLayout) -> None:
    proxies = [LinkProxy(link) for link in layout.links()]
    servers = [await proxy.serve() for proxy in proxies]
    config = uvicorn.Config(control(proxies), host="127.0.0.1", port=layout.control_port, log_config=None)
    try:
        await uvicorn.Server(config).serve()
    finally:
        for server in servers:
            server.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("state_dir", type=Path)
    parser.add_argument("--offset", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(run(ZoneLayout(args.state_dir, args.offset)))


if __name__ == "__main__":
    main()
