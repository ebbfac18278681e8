"""Menu, redirects, embeds, template data and draft previews, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_aisite

pytestmark = pytest.mark.cli

SITE = "title: Desk\nbase_url: https://example.org/news/\n"


def article(root: Path, slug: str, front: str = "", body: str = "Text.\n") -> None:
    folder = root / "content" / "articles" / slug
    folder.mkdir(parents=True)
    text = f"---\ntitle: Story {slug}\ndate: 2025-03-01\n{front}---\n{body}"
    (folder / "index.md").write_text(text)


def site(root: Path, config: str = "") -> Path:
    (root / "content").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE + config)
    return root


def build(root: Path, out: Path, *extra: str) -> str:
    result = run_aisite("build", "--source", str(root), "--output", str(out), *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout


def nav(page: str) -> list[str]:
    header = page.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return [line.strip() for line in header.splitlines() if "<li>" in line]


def test_new_page_is_created_and_joins_the_default_menu(tmp_path: Path) -> None:
    root = site(tmp_path / "src")
    article(root, "a")
    made = run_aisite(
        "new", "page", "newsletter", "--title", "Our newsletter", "--source", str(root)
    )
    assert made.returncode == 0, made.stderr
    assert (
        (root / "content/pages/newsletter.md")
        .read_text()
        .startswith('---\ntitle: "Our newsletter"')
    )
    again = run_aisite("new", "page", "newsletter", "--source", str(root))
    assert again.returncode == 1 and "already exists" in again.stderr
    reserved = run_aisite("new", "page", "tags", "--source", str(root))
    assert reserved.returncode == 1 and "taken by the generated" in reserved.stderr
    build(root, tmp_path / "out")
    home = (tmp_path / "out/index.html").read_text()
    assert nav(home) == [
        '<li><a href="claims/">Claims</a></li>',
        '<li><a href="verdicts/">Verdicts</a></li>',
        '<li><a href="tags/">Tags</a></li>',
        '<li><a href="newsletter/">Our newsletter</a></li>',
    ]


def test_menu_from_site_yaml_in_order_with_the_current_page_marked(tmp_path: Path) -> None:
    menu = (
        "menu:\n  - {title: About us, url: about/}\n  - {title: Claims, url: /claims/}\n"
        "  - {title: Shop, url: 'https://shop.example.org/'}\n"
    )
    root = site(tmp_path / "src", menu)
    (root / "content/pages").mkdir()
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\nUs.\n")
    build(root, tmp_path / "out")
    about = (tmp_path / "out/about/index.html").read_text()
    assert nav(about) == [
        '<li><a href="../about/" aria-current="page">About us</a></li>',
        '<li><a href="../claims/">Claims</a></li>',
        '<li><a href="https://shop.example.org/">Shop</a></li>',
    ]


def test_menu_links_of_every_kind_to_what_the_site_has_build(tmp_path: Path) -> None:
    # A folder without its slash, a fragment, a file, the home page, mail, another site: each
    # leads to what the site has (a menu keeps only the paths links may lead to).
    links = ["claims", "about/#team", "feed.xml", "/", "mailto:desk@example.org", "https://x.org/"]
    items = "".join(f"  - {{title: L{n}, url: '{url}'}}\n" for n, url in enumerate(links))
    root = site(tmp_path / "src", "menu:\n" + items)
    (root / "content/pages").mkdir()
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\nUs.\n")
    build(root, tmp_path / "out")
    home = (tmp_path / "out/index.html").read_text()
    assert len(nav(home)) == len(links)


def test_a_menu_link_to_a_missing_page_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = site(tmp_path / "src", "menu:\n  - title: About\n    url: abuot/\n")
    result = run_aisite("build", "--source", str(root), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.startswith(
        "content/site.yaml:5: menu links to 'abuot/', which the site does not have"
    )


def test_aliases_redirect_and_stay_out_of_sitemap_and_feeds(tmp_path: Path) -> None:
    root = site(tmp_path / "src")
    article(root, "new-slug", "aliases: [2024/05/old-slug/, old-slug.html]\n")
    build(root, tmp_path / "out")
    for path, back in (("2024/05/old-slug/index.html", "../../../"), ("old-slug.html", "")):
        page = (tmp_path / "out" / path).read_text()
        target = f"{back}articles/new-slug/"
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
        assert '<link rel="canonical" href="https://example.org/news/articles/new-slug/">' in page
        assert '<meta name="robots" content="noindex">' in page
        assert f'<a href="{target}">Story new-slug</a>' in page
    for name in ("sitemap.xml", "feed.xml", "atom.xml", "feed.json"):
        text = (tmp_path / "out" / name).read_text()
        assert "old-slug" not in text, name
    assert "articles/new-slug/" in (tmp_path / "out/sitemap.xml").read_text()


def test_an_alias_that_is_not_a_path_is_an_error(tmp_path: Path) -> None:
    root = site(tmp_path / "src")
    article(root, "a", "aliases:\n  - ok/\n  - ../../etc/\n  - https://old.example.org/x\n")
    result = run_aisite("build", "--source", str(root), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("content/articles/a/index.md:6: alias '../../etc/' is not a path")
    assert lines[1].startswith("content/articles/a/index.md:7: alias 'https://old.example.org/x'")


def test_embeds_from_listed_hosts_are_kept_locked_down(tmp_path: Path) -> None:
    root = site(tmp_path / "src", "embeds: [datawrapper.dwcdn.net]\n")
    frame = (
        '<iframe src="https://datawrapper.dwcdn.net/abc/1/" title="Chart: exports by year" '
        'height="400" onload="alert(1)" sandbox="allow-top-navigation"></iframe>'
    )
    article(root, "a", body=f"Text.\n\n{frame}\n")
    build(root, tmp_path / "out")
    page = (tmp_path / "out/articles/a/index.html").read_text()
    assert (
        '<iframe loading="lazy" sandbox="allow-scripts allow-same-origin allow-popups" '
        'referrerpolicy="strict-origin-when-cross-origin" src="https://datawrapper.dwcdn.net/abc/1/" '
        'title="Chart: exports by year" height="400"></iframe>'
    ) in page
    assert "alert" not in page and "allow-top-navigation" not in page


def test_extra_reaches_templates_and_its_edits_rebuild_the_page(tmp_path: Path) -> None:
    root = site(tmp_path / "src", "extra: {desk: Trade desk, sections: [world, tech]}\n")
    article(root, "a", "extra:\n  podcast: https://pod.example.org/1\n  minutes: 12\n")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(
        "{{ site.extra.desk }}|{{ site.extra.sections | join(',') }}|"
        "{{ article.extra.podcast }}|{{ article.extra.minutes + 1 }}\n"
    )
    build(root, tmp_path / "out")
    page = tmp_path / "out/articles/a/index.html"
    assert page.read_text() == "Trade desk|world,tech|https://pod.example.org/1|13\n"
    index = root / "content/articles/a/index.md"
    index.write_text(index.read_text().replace("minutes: 12", "minutes: 30"))
    build(root, tmp_path / "out")
    assert page.read_text().endswith("|31\n")


def test_drafts_preview_with_a_banner_and_stay_out_of_feeds_sitemap_and_data(
    tmp_path: Path,
) -> None:
    root = site(tmp_path / "src")
    article(root, "published", body="The minister said taxes fell.\n")
    article(root, "secret", "draft: true\n", "The minister said taxes rose.\n")
    (root / "content/articles/secret/claims.yaml").write_text(
        "- id: rose\n  quote: taxes rose\n  claimant: The minister\n  verdict: inaccurate\n"
        "  summary: They fell.\n  evidence:\n    - {title: Budget, url: 'https://example.org/b'}\n"
    )
    build(root, tmp_path / "out", "--drafts")
    out = tmp_path / "out"
    for path in ("articles/secret/index.html", "articles/secret/claims/rose/index.html"):
        page = (out / path).read_text()
        assert '<p class="draft-banner" role="note"><strong>Draft</strong>' in page, path
        assert '<meta name="robots" content="noindex">' in page, path
    published = (out / "articles/published/index.html").read_text()
    assert "draft-banner" not in published and "noindex" not in published
    for name in ("feed.xml", "atom.xml", "feed.json", "sitemap.xml", "claims.json"):
        assert "secret" not in (out / name).read_text(), name
    assert json.loads((out / "claims.json").read_text())["claims"] == []
    assert "articles/secret/" in (out / "index.html").read_text()  # the preview lists it
