"""Search: the records indexed, reproducible Pagefind bundles per year, no re-indexing, `search: false`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aisite import pagefindservice, search, searchbundle
from aisite.build import build
from aisite.options import Options
from aisite.plaintext import text_of
from aisite.render import SitePlan
from aisite.search import _parts, shards
from aisite.searchbundle import KEEP, Record, prune
from aisite.searchrecords import filter_counts, records
from conftest import NEW_INTERPRETER, run_aisite
from test_incremental import tree
from test_plan import CLAIMS, article, make_site

CLAIMANTS = ["Ana", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]
VERDICTS = ["accurate", "misleading", "inaccurate", "needs-context", "unverifiable"]


def write_site(
    root: Path, *, search: bool = True, claims: int = 24, dates: list[str] | None = None
) -> Path:
    """A site whose claims spread over many claimants, topics and verdicts (many filter values);
    story n is dated dates[n] if given."""
    (root / "content" / "articles").mkdir(parents=True)
    config = "title: Desk\nbase_url: https://example.org/\n" + ("" if search else "search: false\n")
    (root / "content" / "site.yaml").write_text(config)
    for n in range(claims // 3):
        folder = root / "content" / "articles" / f"story-{n}"
        folder.mkdir()
        words = " ".join(
            f"Sentence {n}-{k} says something checkable about chips." for k in range(3)
        )
        (folder / "index.md").write_text(
            f"---\ntitle: Story {n}\ndate: {dates[n] if dates else f'20{20 + n % 6}-03-0{1 + n % 8}'}\n"
            f"tags: [T{n % 5}]\n---\n{words}\n"
        )
        items = []
        for k in range(3):
            items.append(
                f"- id: c{k}\n  quote: Sentence {n}-{k} says\n"
                f"  claimant: {CLAIMANTS[(n + k) % len(CLAIMANTS)]}\n"
                f"  verdict: {VERDICTS[(n * 3 + k) % len(VERDICTS)]}\n  summary: S {n} {k}.\n"
                f"  topics: [Topic {(n + k) % 6}]\n"
                "  evidence: [{title: E, url: 'https://e.org/'}]\n"
            )
        (folder / "claims.yaml").write_text("".join(items))
    return root


pytestmark = pytest.mark.cli


@pytest.mark.unit
def test_text_of_leaves_out_the_flags_hidden_labels() -> None:
    html = (
        '<p>A <mark>quote</mark><a class="claim-flag" href="#r"><span class="visually-hidden">'
        "Claim reviewed: </span>False</a> ends.</p><p>Next<br>line &amp; more</p>"
    )
    assert text_of(html) == "A quote ends. Next line & more"


@pytest.mark.unit
def test_records_carry_the_filters_and_the_verdict(tmp_path: Path) -> None:
    site = make_site(article("old", 1, CLAIMS), article("new", 2))
    found = {r.url: r for r in records(SitePlan(site, tmp_path))}
    claim = found["articles/old/claims/cost/"]
    assert claim.filters == {
        "type": ["Claim review"],
        "verdict": ["Misleading"],
        "claimant": ["The Lab"],
        "topic": ["Costs"],
        "tag": ["AI", "Chips"],
        "year": ["2025"],
    }
    assert claim.meta["verdict_key"] == "misleading" and claim.sort == {"date": "2025-02-03"}
    assert "cost six million dollars" in claim.content and "Only the final run." in claim.content
    story = found["articles/new/"]
    assert story.filters["type"] == ["Analysis"] and "cost six million dollars" in story.content
    assert "Claim reviewed" not in found["articles/old/"].content
    assert found["methodology/"].filters == {"type": ["Page"]}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("reviewed", "part_records", "expected"),
    [
        ("2023-05-01", 800, ["2025", "2023", "pages"]),
        # 2 articles and 2 claims in 2025, 8 records as parts count them: quarters
        ("2025-07-01", 2, ["2025-07", "2025-01", "pages"]),
    ],
)
def test_each_part_makes_the_records_shards_would_give_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reviewed: str,
    part_records: int,
    expected: list[str],
) -> None:
    # Records are made lazily per part (only parts to index again): same records, same order.
    monkeypatch.setattr(search, "PART_RECORDS", part_records)
    claims = CLAIMS.replace("reviewed: 2025-02-03", f"reviewed: {reviewed}")
    site = make_site(article("old", 1, claims), article("new", 2, CLAIMS))
    plan = SitePlan(site, tmp_path)
    parts = _parts(plan)
    made = {name: [make() for _, make in part] for name, part in parts.items()}
    assert made == shards(records(plan))
    assert list(made) == expected


@pytest.mark.unit
def test_a_year_with_more_records_than_a_part_holds_is_split_into_months(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "PART_RECORDS", 4)

    def record(url: str, date: str | None) -> Record:
        return Record(url, url, "", {}, {}, {"date": date} if date else {})

    busy = [record(f"b{m}", f"2024-{m:02d}-15") for m in range(1, 10)]  # 9: three parts of 4
    found = [*busy, record("q1", "2023-01-02"), record("q2", "2023-12-30"), record("p", None)]
    parts = shards(found)
    assert {name: [r.url for r in part] for name, part in parts.items()} == {
        "2024-09": ["b9"],
        "2024-05": ["b5", "b6", "b7", "b8"],
        "2024-01": ["b1", "b2", "b3", "b4"],
        "2023": ["q1", "q2"],  # two records: one part for the year
        "pages": ["p"],
    }
    monkeypatch.setattr(search, "PART_RECORDS", 1)  # more than 12 a part could hold: months
    assert list(shards(busy * 2)) == [f"2024-{m:02d}" for m in range(9, 0, -1)]


@pytest.mark.unit
def test_an_article_counts_for_more_than_a_claim_where_parts_are_sized(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pagefind's memory follows a part's text: an article's record holds its whole text.
    monkeypatch.setattr(search, "PART_RECORDS", 6)

    def record(kind: str, month: int) -> Record:
        return Record(
            f"{kind}{month}", "", "", {"kind": kind}, {}, {"date": f"2024-{month:02d}-15"}
        )

    assert list(shards([record("claim", m) for m in (1, 3, 4, 7, 10, 12)])) == ["2024"]
    halves = shards([record("article", m) for m in (1, 4, 7)])  # 9 records as parts count them
    assert {name: [r.url for r in part] for name, part in halves.items()} == {
        "2024-07": ["article7"],
        "2024-01": ["article1", "article4"],
    }


@pytest.mark.unit
def test_the_filter_counts_are_those_of_the_records(tmp_path: Path) -> None:
    reviewed = CLAIMS.replace("reviewed: 2025-02-03", "reviewed: 2023-05-01")
    plan = SitePlan(make_site(article("old", 1, reviewed), article("new", 2, CLAIMS)), tmp_path)
    expected: dict[str, dict[str, int]] = {}
    for found in records(plan):
        for name, values in found.filters.items():
            for value in values:
                expected.setdefault(name, {}).setdefault(value, 0)
                expected[name][value] += 1
    assert filter_counts(plan) == expected
    assert filter_counts(plan)["year"] == {"2023": 1, "2025": 3}  # two stories, two claims


def test_two_clean_builds_give_the_same_bundles_one_per_year(tmp_path: Path) -> None:
    # Two site folders, so each build indexes with its own Pagefind run (no shared cache).
    outputs = []
    for name in ("one", "two"):
        site = write_site(tmp_path / name)
        # A new interpreter each (its own hash seed): output must not depend on set order.
        result = run_aisite("build", "--clean", "--source", str(site), env=NEW_INTERPRETER)
        assert result.returncode == 0, result.stderr
        outputs.append(tree(site / "site"))
    one, two = outputs
    years = [str(y) for y in range(2025, 2019, -1)]
    entries = sorted(p for p in one if p.endswith("pagefind-entry.json"))
    assert entries == sorted(f"pagefind/{y}/pagefind-entry.json" for y in years)
    for year in years:  # one filter file per filter, in every year's bundle
        assert sum(p.startswith(f"pagefind/{year}/filter/") for p in one) == 6
    page = one["search/index.html"].decode()
    bundles = ", ".join(f"&#34;pagefind/{y}/&#34;" for y in years)
    assert f'data-bundles="[{bundles}]"' in page  # newest year first
    assert one == two


def test_an_edit_indexes_again_only_the_year_it_is_in(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", claims=6)  # story-0 in 2020, story-1 in 2021
    assert run_aisite("build", "--source", str(site)).returncode == 0
    cache = site / ".aisite-cache" / "search"

    def made() -> dict[str, int]:
        return {b.name: (b / "pagefind-entry.json").stat().st_ino for b in cache.iterdir()}

    def served(year: int) -> bytes:
        return (site / "site" / "pagefind" / str(year) / "pagefind-entry.json").read_bytes()

    first, old2020, old2021 = made(), served(2020), served(2021)
    assert len(first) == 2
    index = site / "content" / "articles" / "story-0" / "index.md"
    index.write_text(index.read_text())  # touched, same text: same records
    assert run_aisite("build", "--source", str(site)).returncode == 0
    assert made() == first
    index.write_text(index.read_text().replace("chips", "wafers"))
    assert run_aisite("build", "--source", str(site)).returncode == 0
    after = made()
    assert len(after) == 3 and all(after[name] == inode for name, inode in first.items())
    assert served(2021) == old2021 and served(2020) != old2020


def test_bundle_files_are_keyed_by_their_bytes_and_a_bundle_without_a_manifest_still_serves(
    tmp_path: Path,
) -> None:
    import hashlib
    import json

    from aisite.searchbundle import MANIFEST

    site = write_site(tmp_path / "site", claims=6)  # two years: two bundles
    assert run_aisite("build", "--source", str(site)).returncode == 0
    cache = site / ".aisite-cache" / "search"
    bundles = [b for b in cache.iterdir() if not b.name.startswith(".")]
    assert len(bundles) == 2
    for bundle in bundles:
        listed = json.loads((bundle / MANIFEST).read_text())
        files = {
            p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:32]
            for p in bundle.rglob("*")
            if p.is_file() and p.name != MANIFEST
        }
        assert listed == files  # every file, and the hash of its bytes
    published = tree(site / "site")
    assert not [p for p in published if p.endswith(MANIFEST)]  # never published
    for bundle in bundles:  # as a bundle made before manifests: listed, keyed by its folder
        (bundle / MANIFEST).unlink()
    assert (
        run_aisite("build", "--source", str(site), "--output", str(tmp_path / "b")).returncode == 0
    )
    assert tree(tmp_path / "b") == published


def test_a_file_to_copy_that_went_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    from aisite.errors import ContentError
    from aisite.making import copied
    from aisite.plan import Output

    gone = Output("x.css", "static/x.css", copy_from=str(tmp_path / "x.css"), key="k", line=0)
    with pytest.raises(ContentError) as caught:
        copied(gone)
    assert str(caught.value.problems[0]).startswith(f"static/x.css: cannot read {tmp_path}")


def test_old_bundles_are_pruned_to_the_most_recently_used(tmp_path: Path) -> None:
    import os

    root = tmp_path / "search"
    names = [f"bundle{n:02d}" for n in range(3 * KEEP + 3)]
    for age, name in enumerate(names):  # bundle00 the most recently used
        (root / name / "fragment").mkdir(parents=True)
        (root / name / "fragment" / "f").write_text("x")
        os.utime(root / name, ns=(10**18 - age * 10**9,) * 2)
    used = {root / "bundle12", root / "bundle05"}  # two parts, one of them old
    (root / ".being-made.tmp").mkdir()  # a worker's: never pruned here
    prune(root, used)
    kept = sorted(p.name for p in root.iterdir())
    others = [n for n in names if root / n not in used][: KEEP * len(used)]
    assert kept == sorted([".being-made.tmp", "bundle05", "bundle12", *others])
    prune(tmp_path / "never-made", used)  # nothing to prune: no error


def test_bundles_a_stopped_build_was_making_or_removing_are_cleared(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", claims=3)
    assert run_aisite("build", "--source", str(site)).returncode == 0
    cache = site / ".aisite-cache" / "search"
    (bundle,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    # As a build stopped (Ctrl-C, or planning that failed) while its worker indexed or pruned.
    (cache / ".0123.tmp" / "fragment").mkdir(parents=True)
    half = cache / f".{bundle.name}-old.gone"
    shutil.copytree(bundle, half)
    index = site / "content" / "articles" / "story-0" / "index.md"
    index.write_text(index.read_text().replace("chips", "wafers"))
    assert run_aisite("build", "--source", str(site)).returncode == 0
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []


def test_search_false_leaves_search_out(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", search=False, claims=3)
    assert run_aisite("build", "--source", str(site)).returncode == 0
    files = tree(site / "site")
    assert not [p for p in files if p.startswith(("pagefind/", "search/"))]
    assert b'role="search"' not in files["index.html"]
    on = write_site(tmp_path / "on", claims=3)
    assert run_aisite("build", "--source", str(on)).returncode == 0
    assert b'role="search"' in (on / "site" / "index.html").read_bytes()


def test_an_edit_indexes_again_only_the_months_it_is_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A story and its 3 claims count for search.ARTICLE_RECORDS + 3 records: one a part
    monkeypatch.setattr(search, "PART_RECORDS", search.ARTICLE_RECORDS + 3)
    dates = ["2024-01-10", "2024-04-10", "2024-07-10", "2024-10-10"]
    site = write_site(tmp_path / "site", claims=12, dates=dates)
    out, options = tmp_path / "out", Options(site, jobs=1)
    build(options, out)
    parts = sorted(p.parent.name for p in (out / "pagefind").glob("*/pagefind-entry.json"))
    assert parts == ["2024-01", "2024-04", "2024-07", "2024-10"]  # 4 parts' records: quarters
    page = (out / "search" / "index.html").read_text()
    bundles = ", ".join(f"&#34;pagefind/{p}/&#34;" for p in reversed(parts))
    assert f'data-bundles="[{bundles}]"' in page  # newest first
    assert "data-counts=" in page

    def entries() -> dict[str, bytes]:
        return {p: (out / "pagefind" / p / "pagefind-entry.json").read_bytes() for p in parts}

    before = entries()
    index = site / "content" / "articles" / "story-1" / "index.md"  # April
    index.write_text(index.read_text().replace("chips", "wafers"))
    build(options, out)
    after = entries()
    assert [p for p in parts if after[p] != before[p]] == ["2024-04"]


@pytest.mark.unit
def test_the_indexer_client_keeps_no_answer_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pagefind's client keeps every answer till it is closed, each part's whole bundle among them.
    left: list[int] = []
    close = pagefindservice.Service.close

    async def counted(self: pagefindservice.Service) -> None:
        left.append(len(self._responses))
        await close(self)

    monkeypatch.setattr(pagefindservice.Service, "close", counted)
    parts = {
        name: [Record(f"/{name}/{n}/", f"t{n}", f"words {name} {n}", {}, {}, {}) for n in range(3)]
        for name in ("2024", "2025")
    }
    keys = {name: f"key{name}" for name in parts}
    folders = searchbundle.make_bundles(tmp_path, keys, parts.__getitem__, "en")
    assert all((f / "pagefind-entry.json").is_file() for f in folders.values())
    assert left == [0]


@pytest.mark.cli
def test_the_build_process_lets_each_record_maker_go_once_a_worker_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools
    import gc

    from aisite import write as writer
    from aisite.searchrecords import article_record, claim_record

    site = write_site(tmp_path / "site", claims=12)
    held: list[int] = []
    write = writer.write_site

    def counted(*args: object, **kwargs: object) -> object:
        gc.collect()
        makers = (article_record, claim_record)
        held.append(
            sum(isinstance(o, functools.partial) and o.func in makers for o in gc.get_objects())
        )
        return write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "write_site", counted)  # imported by a build from there
    build(Options(site, jobs=2), tmp_path / "out")  # a worker indexes while the site is written
    assert held == [0]  # not one of the 4 stories' and 12 claims' makers
    assert (tmp_path / "out" / "search" / "index.html").is_file()
