"""The template environment: a site's templates/ over the built-in theme, strict and escaped."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from aisite.errors import ContentError, Problem
from aisite.i18n import Strings
from aisite.reader import builtin_theme
from aisite.templatecache import theme_bytecode

_ENVIRONMENTS: dict[tuple[str, ...], jinja2.Environment] = {}


def _environment(folders: tuple[str, ...]) -> jinja2.Environment:
    """One environment per set of template folders in a process (serve, check --links, tests).

    Jinja recompiles a template whose file changed (auto_reload). The built-in theme's compiled
    templates are also kept in the user's own cache folder (templatecache.py); a site's are
    compiled in each process, and none is ever kept in the site's cache.
    """
    env = _ENVIRONMENTS.get(folders)
    if env is None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(list(folders)),
            bytecode_cache=theme_bytecode(builtin_theme()),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,
        )
        _ENVIRONMENTS[folders] = env
    return env


class Theme:
    """Finds templates and assets, renders templates, and turns template errors into problems."""

    def __init__(self, site_root: Path, strings: Strings) -> None:
        self.site_root = site_root
        self.folders = [p for p in (site_root / "templates", builtin_theme()) if p.is_dir()]
        self.env = _environment(tuple(str(p) for p in self.folders))
        self.env.filters["date"] = strings.date
        self.env.filters["isodate"] = lambda d: d.date().isoformat() if d else ""

    def fingerprint(self) -> str:
        """A hash of every template and asset file, so a theme edit invalidates cached pages."""
        from aisite.keys import digest

        parts: list[str | bytes] = []
        for folder in self.folders:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
        return digest(*parts)

    def asset(self, name: str) -> bytes:
        """An asset file from the first theme folder that has it."""
        for folder in self.folders:
            path = folder / "assets" / name
            if path.is_file():
                return path.read_bytes()
        raise ContentError([Problem(f"templates/assets/{name}", 0, "theme asset not found")])

    def shown_path(self, filename: str) -> str:
        """A template file as shown in messages."""
        path = Path(filename).resolve()
        site_templates = (self.site_root / "templates").resolve()
        if site_templates in path.parents:
            return path.relative_to(self.site_root.resolve()).as_posix()
        return f"{path.name} (aisite built-in theme: {path})"

    def render(self, name: str, page: str, context: Mapping[str, Any]) -> str:
        """Render a template; a template error becomes a problem naming template, line and page."""
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as err:
            where = self.shown_path(err.filename) if err.filename else name
            raise ContentError(
                [Problem(where, err.lineno, f"template error: {err.message} (rendering {page})")]
            ) from None
        except jinja2.TemplateError as err:
            where, line = self._locate(err, name)
            raise ContentError(
                [Problem(where, line, f"template error: {err} (rendering {page})")]
            ) from None

    def _locate(self, err: BaseException, name: str) -> tuple[str, int]:
        where, line = name, 0
        tb = err.__traceback__ or sys.exc_info()[2]
        folders = [str(p.resolve()) for p in self.folders]
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if any(str(Path(filename).resolve()).startswith(f) for f in folders):
                where, line = self.shown_path(filename), tb.tb_lineno
            tb = tb.tb_next
        return where, line


def fingerprint(name: str, data: bytes) -> str:
    """'style.css' -> 'style.<hash>.css'."""
    stem, _, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}"
