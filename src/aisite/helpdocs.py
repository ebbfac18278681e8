"""`aisite help`: the documentation pages, shipped inside the package, printed on request."""

from __future__ import annotations

import re
from pathlib import Path

from aisite.reader import shipped

# Topic -> file in docs/ (packaged as aisite/docs/; see pyproject.toml).
TOPICS = {
    "format": "content-format.md",
    "writing": "writing.md",
    "cli": "cli.md",
    "templates": "templates.md",
    "deployment": "deployment.md",
    "security": "security.md",
}


def docs_folder() -> Path:
    """The documentation: packaged as aisite/docs, or docs/ of a source checkout."""
    return shipped("docs", "docs", "documentation")


def page(topic: str) -> str:
    """The Markdown text of one topic."""
    text = (docs_folder() / TOPICS[topic]).read_text(encoding="utf-8")
    return re.sub(r"\A<!--.*?-->\n", "", text, flags=re.S)  # a note for maintainers


def index() -> str:
    """What `aisite help` prints without a topic: each topic and its page's title."""
    lines = ["Usage: aisite help TOPIC   (prints a documentation page, in Markdown)", "", "Topics:"]
    for topic, name in TOPICS.items():
        title = next(line[2:] for line in page(topic).splitlines() if line.startswith("# "))
        lines.append(f"  {topic:<11} {title.replace('`', '')} ({name})")
    return "\n".join(lines) + "\n"
