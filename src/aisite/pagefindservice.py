"""Pagefind's indexer as a service: this build's client of it (no per-message delay), filling one index a part."""

from __future__ import annotations

import asyncio
import base64
import json
import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pagefind.service import PagefindService

if TYPE_CHECKING:
    from pagefind.index import PagefindIndex

    from aisite.searchbundle import Record  # which imports this module where it indexes

ANSWER_LIMIT = 2**31  # bytes of one answer from the indexer (get_files sends the whole bundle)
BATCH = 500  # records in flight to the indexer at once


class Service(PagefindService):
    """Pagefind's service client, reading each answer as soon as it arrives, closing gently.

    pagefind 1.5's client sleeps 0.1 s before reading every answer (indexing 80,000 records
    would wait over two hours), and ends the indexer with SIGTERM. Its write_files answers
    before the files are complete (seen here: an empty pagefind-entry.json, a truncated script),
    so aisite asks for the files with get_files and writes them itself; one answer then holds
    the whole bundle, hence the larger read limit. It also keeps every answer till it is closed
    (60 MB of bundles at 5,000 articles): here each is taken out as it arrives.
    """

    async def launch(self) -> Service:
        # As the parent's, with room for get_files' single answer holding the whole bundle.
        self._backend = await asyncio.create_subprocess_exec(
            self._bin,
            "--service",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            limit=ANSWER_LIMIT,
        )
        self._poll_task = self._loop.create_task(self._wait_for_responses())
        return self

    async def close(self) -> None:
        stdin = self._backend.stdin
        if stdin is not None:
            stdin.close()
        try:
            await asyncio.wait_for(self._backend.wait(), timeout=120)
        except TimeoutError:
            self._backend.kill()
            await self._backend.wait()
            raise RuntimeError("Pagefind's indexer did not finish within 120 s") from None
        finally:
            self._poll_task.cancel()

    async def _wait_for_responses(self) -> None:
        stdout = self._backend.stdout
        assert stdout is not None
        while True:
            output = await stdout.readuntil(b",")
            response = json.loads(base64.b64decode(output[:-1]))
            if response is None:
                continue
            future = self._responses.pop(response.get("message_id"), None)
            if future is None or future.done():
                continue
            payload = response["payload"]
            if payload["type"] == "Error":
                future.set_exception(RuntimeError(f"Pagefind: {payload.get('message')}"))
            else:
                future.set_result(payload)


def index_parts(
    todo: dict[Path, str], records_of: Callable[[str], list[Record]], language: str
) -> None:
    """Index each part into its folder (searchbundle.make_bundles makes them canonical)."""
    asyncio.run(_index(todo, records_of, language))


async def _index(
    todo: dict[Path, str], records_of: Callable[[str], list[Record]], language: str
) -> None:
    """Index each part into its folder; its records are made only then (all of them at once
    took 70 MB at 5,000 articles)."""
    from pagefind.index import IndexConfig

    async with Service() as service:
        for output, name in todo.items():
            index = await service.create_index(IndexConfig(force_language=language))
            await _fill(index, records_of(name), output, language)
            await index.delete_index()  # Pagefind holds an index until told: one at a time


async def _fill(index: PagefindIndex, found: list[Record], output: Path, language: str) -> None:
    for start in range(0, len(found), BATCH):
        await asyncio.gather(
            *(
                index.add_custom_record(
                    url=r.url,
                    content=r.content,
                    language=language,
                    meta={"title": r.title, **r.meta},
                    filters=r.filters,
                    sort=r.sort,
                )
                for r in found[start : start + BATCH]
            )
        )
    made: set[str] = set()
    for file in await index.get_files():
        relative = posixpath.normpath(file["path"])
        if relative.startswith(("/", "../")) or relative in (".", ".."):
            raise RuntimeError(f"Pagefind returned a file outside its bundle: {file['path']}")
        folder = posixpath.dirname(relative)
        if folder not in made:  # a new folder, made once (2,000 files are in a few folders)
            (output / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        (output / relative).write_bytes(file["content"])
