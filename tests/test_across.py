"""Claims across stories, end to end: reuse, the claimant registry, appearances, updates, verdicts."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from conftest import copy_site, run_aisite

pytestmark = pytest.mark.cli

ACROSS = Path(__file__).parent / "sites" / "across"
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
FIRST = "articles/cost-claims-first/claims/fraction-of-cost/index.html"
SCHEMA = "https://schema.org/"
# No network in tests: the processor gets schema.org's context from here. It maps every term
# into the schema.org vocabulary and reads url and sameAs as IRIs, as the published one does.
CONTEXT = {"@context": {"@vocab": SCHEMA, "url": {"@type": "@id"}, "sameAs": {"@type": "@id"}}}


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    assert url.rstrip("/") == SCHEMA.rstrip("/"), f"JSON-LD asked for a remote context: {url}"
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("across")
    source, out = copy_site(ACROSS, folder / "source"), folder / "site"
    result = run_aisite("build", "--source", str(source), "--output", str(out), env=EPOCH)
    assert result.returncode == 0, result.stderr
    return out


def _ld(page: Path) -> list[dict[str, Any]]:
    html = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def _expanded(page: Path) -> dict[str, Any]:
    (data,) = _ld(page)
    (node,) = jsonld.expand(data, {"documentLoader": _loader})
    return dict(node)


def _values(node: dict[str, Any], name: str) -> list[Any]:
    return [v.get("@value", v.get("@id", v)) for v in node.get(SCHEMA + name, [])]


def test_claim_review_as_a_json_ld_processor_reads_it(built: Path) -> None:
    review = _expanded(built / FIRST)
    assert review["@type"] == [SCHEMA + "ClaimReview"]
    assert _values(review, "dateModified") == ["2025-03-10"]
    assert _values(review, "datePublished") == ["2025-03-02"]
    (item,) = review[SCHEMA + "itemReviewed"]
    (author,) = item[SCHEMA + "author"]
    assert author["@type"] == [SCHEMA + "Organization"]
    assert _values(author, "name") == ["Deep Lab"]
    assert _values(author, "url") == ["https://deeplab.example/"]
    assert sorted(_values(author, "sameAs")) == [
        "https://github.com/deep-lab",
        "https://www.wikidata.org/wiki/Q4242",
    ]
    appearances = item[SCHEMA + "appearance"]
    urls = [_values(a, "url")[0] for a in appearances]
    # Both articles that anchor it (their analysed stories) and the external appearance, by date.
    assert urls == [
        "https://radio.example/interview",
        "https://wire.example/cheap-model",
        "https://other.example/rivals",
    ]
    (first,) = item[SCHEMA + "firstAppearance"]
    assert _values(first, "url") == ["https://radio.example/interview"]
    assert _values(first, "datePublished") == ["2025-02-27"]
    assert _values(item, "datePublished") == ["2025-02-27"]


def test_a_review_without_updates_has_no_date_modified(built: Path) -> None:
    review = _expanded(built / "articles/cost-claims-first/claims/leads-open-models/index.html")
    assert SCHEMA + "dateModified" not in review
    (item,) = review[SCHEMA + "itemReviewed"]
    (author,) = item[SCHEMA + "author"]
    assert author["@type"] == [SCHEMA + "Person"]
    assert SCHEMA + "sameAs" not in author


def test_a_reused_review_makes_no_second_claim_page(built: Path) -> None:
    again = built / "articles/cost-claims-again"
    assert sorted(p.name for p in (again / "claims").iterdir()) == ["rules-pointless"]
    html = (again / "index.html").read_text(encoding="utf-8")
    flag = re.search(r'<a class="claim-flag[^"]*" data-claim="fraction-again" href="([^"]+)"', html)
    assert flag is not None
    assert (again / flag.group(1) / "index.html").resolve() == (built / FIRST).resolve()
    assert 'id="claim-fraction-again"' in html and 'id="review-fraction-again"' in html
    data = json.loads((built / "claims.json").read_text(encoding="utf-8"))
    ids = sorted(f"{c['article']}/{c['id']}" for c in data["claims"])
    assert ids == [
        "cost-claims-again/rules-pointless",
        "cost-claims-first/fraction-of-cost",
        "cost-claims-first/leads-open-models",
    ]
    record = next(c for c in data["claims"] if c["id"] == "fraction-of-cost")
    assert record["claimant_key"] == "deep-lab"
    assert [a["article"] for a in record["appearances"]] == [
        None,
        "cost-claims-first",
        "cost-claims-again",
    ]
    assert record["updates"][0]["previous_verdict"] == "accurate"
    page = (built / FIRST).read_text(encoding="utf-8")
    assert "../../../../articles/cost-claims-again/#claim-fraction-again" in page


def test_the_claimant_page_shows_the_record(built: Path) -> None:
    html = (built / "claimants/deep-lab/index.html").read_text(encoding="utf-8")
    assert "An AI laboratory that publishes open-weight models." in html
    assert 'href="https://www.wikidata.org/wiki/Q4242"' in html
    assert (
        'id="claimant-chart"' in html
        and "<caption>Claims by Deep Lab, by verdict</caption>" in html
    )
    assert re.search(r"Misleading</a></th><td>1</td>", html)
    assert (
        '<time datetime="2025-03-02">2 March 2025</time> in <a href="../../articles/cost-claims-first/">'
        in html
    )


def test_updates_reach_feeds_and_the_corrections_log(built: Path) -> None:
    feed = json.loads((built / "feed.json").read_text(encoding="utf-8"))
    first = next(i for i in feed["items"] if "cost-claims-first" in i["url"])
    assert first["date_modified"].startswith("2025-03-10")
    assert "Updated 10 March 2025" in first["content_html"]
    log = (built / "corrections/index.html").read_text(encoding="utf-8")
    assert "(verdict changed from Accurate to Misleading)" in log


def test_a_silent_verdict_change_stops_the_build(tmp_path: Path) -> None:
    site = copy_site(ACROSS, tmp_path / "across")
    out = tmp_path / "out"
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    published = (out / "claims.json").read_bytes()
    claims, text = _claims_yaml(site)
    changed = text.replace("  verdict: accurate\n", "  verdict: inaccurate\n")
    claims.write_text(changed, encoding="utf-8")
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 1
    assert result.stderr == (
        "content/articles/cost-claims-first/claims.yaml:27: claim 'leads-open-models': the "
        "verdict changed from 'accurate' (Accurate) as published to 'inaccurate' without an "
        "update saying so (add to the claim: updates: [{date: YYYY-MM-DD, previous_verdict: "
        "accurate, note: why the verdict changed}])\n"
        "aisite: 1 problem found; the output folder was left as it was.\n"
    )
    assert (out / "claims.json").read_bytes() == published
    check = run_aisite("check", "--source", str(site), "--against", str(out / "claims.json"))
    assert check.returncode == 1 and "claim 'leads-open-models'" in check.stderr
    claims.write_text(
        changed.replace(
            "  summary: By count",
            "  updates:\n    - {date: 2025-03-04, previous_verdict: accurate, note: Recounted.}\n"
            "  summary: By count",
        ),
        encoding="utf-8",
    )
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert b'"verdict": "inaccurate"' in (out / "claims.json").read_bytes()


def test_check_against_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run_aisite("check", "--source", str(ACROSS), "--against", str(tmp_path / "no.json"))
    assert result.returncode == 2
    assert result.stderr.startswith("aisite check: error: cannot read the published claims in ")


def test_check_suggests_reusing_an_earlier_review(tmp_path: Path) -> None:
    site = copy_site(ACROSS, tmp_path / "across")
    folder = site / "content/articles/cost-claims-again"
    (folder / "index.md").write_text(
        "---\ntitle: Again\ndate: 2025-04-05\n---\n"
        "The lab says it was trained at a fraction of the cost of rivals. Unrelated words.\n",
        encoding="utf-8",
    )
    (folder / "claims.yaml").write_text(
        "- id: cheap\n  quote: trained at a fraction of the cost of rivals\n  claimant: deep-lab\n"
        "  verdict: misleading\n  summary: Same claim.\n"
        "  evidence:\n    - {title: Report, url: 'https://deeplab.example/report'}\n"
        "- id: other\n  quote: Unrelated words\n  claimant: deep-lab\n"
        "  verdict: misleading\n  summary: Not the same.\n"
        "  evidence:\n    - {title: Report, url: 'https://deeplab.example/report'}\n",
        encoding="utf-8",
    )
    result = run_aisite("check", "--source", str(site))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "content/articles/cost-claims-again/claims.yaml:1: hint: claim 'cheap': its "
        "quote closely matches a claim reviewed in another article; if it is the same claim, "
        "reuse that review: review: cost-claims-first/fraction-of-cost\n"
    )


def test_claims_command_filters_by_claimant_key(tmp_path: Path) -> None:
    result = run_aisite(
        "claims", "--source", str(ACROSS), "--claimant", "deep-lab", env={"COLUMNS": "160"}
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1 claim"
    header = next(line for line in lines if line.startswith("VERDICT"))
    assert header.split() == ["VERDICT", "CLAIMANT", "ARTICLE/ID", "QUOTE"]
    assert lines[-1].split()[:4] == [
        "Misleading",
        "Deep",
        "Lab",
        "cost-claims-first/fraction-of-cost",
    ]


def test_edits_elsewhere_reach_cached_pages(tmp_path: Path) -> None:
    """A registry edit and a changed review reach every page that shows them, cache or not."""
    site = copy_site(ACROSS, tmp_path / "across")
    shutil.rmtree(site / "expected")
    out = tmp_path / "out"
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    registry = site / "content/claimants.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("name: Deep Lab", "name: Deep Laboratory"),
        encoding="utf-8",
    )
    claims = site / "content/articles/cost-claims-first/claims.yaml"
    claims.write_text(
        claims.read_text(encoding="utf-8")
        .replace("  verdict: misleading\n", "  verdict: inaccurate\n", 1)
        .replace(
            "      note: The lab later",
            "      note: First change.\n    - date: 2025-03-11\n      previous_verdict: "
            "misleading\n      note: The lab later",
        ),
        encoding="utf-8",
    )
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    again = (out / "articles/cost-claims-again/index.html").read_text(encoding="utf-8")
    assert 'class="claim verdict-inaccurate" data-claim="fraction-again"' in again
    assert "Claimed by <a" in again and "Deep Laboratory</a>" in again
    assert "Deep Laboratory" in (out / FIRST).read_text(encoding="utf-8")
    # A new article that only reuses the review changes no claim of its own: claims.json and
    # the review's page must still list it.
    third = site / "content/articles/cost-claims-third"
    third.mkdir()
    (third / "index.md").write_text(
        "---\ntitle: Third\ndate: 2025-05-01\n---\nIt was done at a fraction of the cost.\n",
        encoding="utf-8",
    )
    (third / "claims.yaml").write_text(
        "- id: cheap\n  quote: at a fraction of the cost\n"
        "  review: cost-claims-first/fraction-of-cost\n",
        encoding="utf-8",
    )
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    record = next(c for c in data["claims"] if c["id"] == "fraction-of-cost")
    assert "cost-claims-third" in [a["article"] for a in record["appearances"]]
    assert "articles/cost-claims-third/#claim-cheap" in (out / FIRST).read_text(encoding="utf-8")


def test_a_silent_verdict_change_is_reported_with_the_other_problems(tmp_path: Path) -> None:
    site = copy_site(ACROSS, tmp_path / "across")
    out = tmp_path / "out"
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  verdict: accurate\n", "  verdict: inaccurate\n"))
    index = site / "content/articles/cost-claims-again/index.md"
    index.write_text(index.read_text().replace("date: 2025-04-05", "date: 2025-13-05"))
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 1
    assert "cost-claims-again/index.md:3:" in result.stderr
    assert "claim 'leads-open-models': the verdict changed" in result.stderr
    assert "problems found; the output folder was left as it was" in result.stderr


def _verdict_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, list[str]]:
    """The across site built once, in-process; what reads or keeps the published verdicts is
    counted from then on (`read`: claims.json read, `kept`: verdicts kept anew)."""
    from aisite import build as building
    from aisite import published

    site = copy_site(ACROSS, tmp_path / "across")
    out = tmp_path / "out"
    building.build(building.Options(site, jobs=1), out)
    calls: list[str] = []
    read, kept = published.read_published, published.verdicts_of
    monkeypatch.setattr(
        published, "read_published", lambda *a, **k: calls.append("read") or read(*a, **k)
    )
    # Imported by a build from `published` when it has something to do.
    monkeypatch.setattr(published, "verdicts_of", lambda e: calls.append("kept") or kept(e))
    return site, out, calls


def _claims_yaml(site: Path) -> tuple[Path, str]:
    """The claims.yaml whose verdicts the verdict checks change, and its text."""
    claims = site / "content/articles/cost-claims-first/claims.yaml"
    return claims, claims.read_text(encoding="utf-8")


def _build_in_process(site: Path, out: Path) -> list[str]:
    """The problems of building `site` into `out` (none when it built)."""
    from aisite.build import Options, build
    from aisite.errors import ContentError

    try:
        build(Options(site, jobs=1), out)
    except ContentError as err:
        return [f"{p.path}:{p.line}: {p.message}" for p in err.problems]
    return []


SILENT = (
    "content/articles/cost-claims-first/claims.yaml:27: claim 'leads-open-models': the verdict "
    "changed from 'accurate' (Accurate) as published to 'inaccurate' without an update saying so"
)


def test_the_verdicts_a_build_kept_stand_for_the_claims_json_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out, calls = _verdict_check(tmp_path, monkeypatch)
    index = site / "content/articles/cost-claims-first/index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert _build_in_process(site, out) == [] and calls == []  # claims.json as it was: no check
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  summary: By count", "  summary: Recounted. By count"))
    assert _build_in_process(site, out) == []
    assert calls == ["kept"]  # checked against the verdicts kept with claims.json, none read
    calls.clear()
    claims.write_text(text.replace("  verdict: accurate\n", "  verdict: inaccurate\n"))
    assert _build_in_process(site, out) == [SILENT] and calls == []


def test_a_claims_json_changed_since_it_was_written_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The verdicts kept are those of the file as written: one changed by hand is read.
    site, out, calls = _verdict_check(tmp_path, monkeypatch)
    published = out / "claims.json"
    data = json.loads(published.read_text(encoding="utf-8"))
    record = next(c for c in data["claims"] if c["id"] == "leads-open-models")
    record["verdict"] = "misleading"
    published.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  summary: By count", "  summary: Recounted. By count"))
    assert _build_in_process(site, out) == [
        "content/articles/cost-claims-first/claims.yaml:27: claim 'leads-open-models': the "
        "verdict changed from 'misleading' (Misleading) as published to 'accurate' without an "
        "update saying so"
    ]
    assert calls == ["read"]


def _kept(site: Path) -> dict[str, str]:
    """The cache's kept verdict rows: key -> value."""
    import sqlite3

    db = sqlite3.connect(site / ".aisite-cache" / "cache.sqlite")
    try:
        rows = db.execute("SELECT key, value FROM rendered WHERE key LIKE 'verdicts:%'")
        return {str(k): str(v) for k, v in rows}
    finally:
        db.close()


def test_each_output_folder_keeps_the_verdicts_of_its_claims_json_until_it_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out, _ = _verdict_check(tmp_path, monkeypatch)
    other = tmp_path / "other"
    claims, text = _claims_yaml(site)
    for n in range(2):
        claims.write_text(text.replace("  summary: By count", f"  summary: Edit {n}. By count"))
        assert _build_in_process(site, out) == [] and _build_in_process(site, other) == []
    import sqlite3

    db = sqlite3.connect(site / ".aisite-cache" / "cache.sqlite")
    recorded = dict(db.execute("SELECT folder, key FROM outputs WHERE path = 'claims.json'"))
    db.close()
    # One row for each folder: its claims.json's, the earlier ones dropped.
    assert sorted(_kept(site)) == sorted(f"verdicts:{f}:{k}" for f, k in recorded.items())
    assert len(recorded) == 2
    shutil.rmtree(other)
    assert _build_in_process(site, out) == []  # the cache opened: a folder gone is forgotten
    assert sorted(_kept(site)) == [f"verdicts:{out.resolve()}:{recorded[str(out.resolve())]}"]


@pytest.mark.parametrize("change", ["touched", "same mtime, one byte more"])
def test_a_claims_json_touched_or_grown_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    import os

    site, out, calls = _verdict_check(tmp_path, monkeypatch)
    published = out / "claims.json"
    before = published.stat()
    if change == "touched":
        os.utime(published, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    else:
        published.write_bytes(published.read_bytes() + b"\n")
        os.utime(published, ns=(before.st_atime_ns, before.st_mtime_ns))
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  verdict: accurate\n", "  verdict: inaccurate\n"))
    assert _build_in_process(site, out) == [SILENT]
    assert calls == ["read"]


@pytest.mark.parametrize(
    "damage",
    [
        "{[",
        '["a list"]',
        '{"a/b": 1}',
        '{"verdicts": {"a/b": 1}, "records": []}',
        '{"verdicts": {}, "records": [1]}',
        '{"verdicts": {}, "records": "ab"}',
        "a/b\fx\fk",  # three parts
        "a/b\f\fk\f1",  # a verdict missing
        "a/b\fx\fk\f0",  # a length not positive
        "a/b\fx\fk\f-1",
        "a/b\fx\fk\fone",
        "a/b\fx\fk\f1\n2",  # more lengths than keys
        "a/b\fx\fk\f99999999999999999999",  # past a 64-bit integer
    ],
)
def test_damaged_kept_verdicts_are_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    import sqlite3

    site, out, calls = _verdict_check(tmp_path, monkeypatch)
    db = sqlite3.connect(site / ".aisite-cache" / "cache.sqlite")
    with db:
        db.execute("UPDATE rendered SET value = ? WHERE key LIKE 'verdicts:%'", (damage,))
    db.close()
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  verdict: accurate\n", "  verdict: inaccurate\n"))
    assert _build_in_process(site, out) == [SILENT]
    assert calls == ["read"]
    assert "cannot be used" in capsys.readouterr().err


def test_a_claims_edit_finds_the_published_records_by_the_lengths_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The records' lengths the last build kept place them: the published file is not scanned.
    from aisite import build as building
    from aisite import opendata, openrecords

    site, out, _ = _verdict_check(tmp_path, monkeypatch)
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  summary: By count", "  summary: Recounted. By count"))
    assert _build_in_process(site, out) == []  # the first claims edit: kept with its lengths
    scanned: list[int] = []
    scan = openrecords._spans
    monkeypatch.setattr(openrecords, "_spans", lambda *a: scanned.append(1) or scan(*a))
    made: list[str] = []
    record = opendata.claim_record
    monkeypatch.setattr(
        opendata, "claim_record", lambda *a: made.append(a[1].claim.id) or record(*a)
    )
    keyed: list[str] = []  # the records' keys are made once, with the records, and kept
    keys = openrecords.record_keys
    for module in (opendata, building):
        monkeypatch.setattr(module, "record_keys", lambda *a: keyed.append("") or keys(*a))
    claims.write_text(text.replace("  summary: By count", "  summary: Again. By count"))
    assert _build_in_process(site, out) == [] and scanned == []
    assert sorted(made) == ["fraction-of-cost", "leads-open-models"]  # its claims.yaml's two
    assert len(keyed) == 1
    made.clear()  # the keys this edit kept find every record but its own two
    claims.write_text(text.replace("  summary: By count", "  summary: Once more. By count"))
    assert _build_in_process(site, out) == [] and scanned == []
    assert sorted(made) == ["fraction-of-cost", "leads-open-models"]
    from aisite.build import Options, build

    build(Options(site, use_cache=False, jobs=1), tmp_path / "cold")
    assert (out / "claims.json").read_bytes() == (tmp_path / "cold/claims.json").read_bytes()


def test_a_first_build_whose_worker_wrote_claims_json_keeps_its_lengths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker made the file: the build finds the lengths by a scan, once, for the next edit.
    from aisite import build as building
    from aisite import openrecords, write

    made_by = write.PARALLEL_MIN
    monkeypatch.setattr(write, "PARALLEL_MIN", 0)  # every batch made by forked workers
    site = copy_site(ACROSS, tmp_path / "across")
    out = tmp_path / "out"
    building.build(building.Options(site, jobs=2), out)
    monkeypatch.setattr(write, "PARALLEL_MIN", made_by)  # an edit's few files: by this process
    scanned: list[int] = []
    scan = openrecords._spans
    monkeypatch.setattr(openrecords, "_spans", lambda *a: scanned.append(1) or scan(*a))
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  summary: By count", "  summary: Recounted. By count"))
    building.build(building.Options(site, jobs=2), out)
    assert scanned == []  # placed by the lengths the first build kept
    building.build(building.Options(site, use_cache=False, jobs=1), tmp_path / "cold")
    assert (out / "claims.json").read_bytes() == (tmp_path / "cold/claims.json").read_bytes()


def test_kept_rows_of_a_folder_go_with_it_and_never_those_of_a_folder_named_like_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    site, out, _ = _verdict_check(tmp_path, monkeypatch)
    twin = tmp_path / "out:twin"  # its rows begin as the rows of `out` do
    assert _build_in_process(site, twin) == []
    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  summary: By count", "  summary: Edit. By count"))
    assert _build_in_process(site, out) == []  # its verdicts kept anew, the twin's left
    kept = sorted(k.rsplit(":", 1)[0] for k in _kept(site))
    assert kept == [f"verdicts:{out.resolve()}", f"verdicts:{twin.resolve()}"]
    gone = tmp_path / "gone"
    db = sqlite3.connect(site / ".aisite-cache" / "cache.sqlite")
    with db:  # left by a build stopped between its deletes: no outputs or units name `gone`
        db.execute("INSERT INTO rendered VALUES (?, '{}')", (f"verdicts:{gone}:{'0' * 32}",))
        db.execute("INSERT INTO rendered VALUES (?, '{}')", (f"manifest:{gone}",))
    db.close()
    shutil.rmtree(twin)
    assert _build_in_process(site, out) == []
    assert [k.rsplit(":", 1)[0] for k in _kept(site)] == [f"verdicts:{out.resolve()}"]
    db = sqlite3.connect(site / ".aisite-cache" / "cache.sqlite")
    manifests = [k for (k,) in db.execute("SELECT key FROM rendered WHERE key LIKE 'manifest:%'")]
    db.close()
    assert manifests == [f"manifest:{out.resolve()}"]


def test_claims_json_makes_again_only_the_records_whose_inputs_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The others are copied from the published claims.json (openrecords.py).
    from aisite import opendata
    from aisite.build import Options, build

    site = copy_site(ACROSS, tmp_path / "across")
    out = tmp_path / "out"
    build(Options(site, jobs=1), out)
    made: list[str] = []
    record = opendata.claim_record
    monkeypatch.setattr(
        opendata, "claim_record", lambda *a: made.append(a[1].claim.id) or record(*a)
    )

    def rebuilt(step: int, clean: bool = False) -> list[str]:
        """The records the build made; its claims.json is a cold build's."""
        made.clear()
        build(Options(site, jobs=1, clean=clean), out)
        found = sorted(made)
        build(Options(site, use_cache=False, jobs=1), tmp_path / f"cold-{step}")
        assert (out / "claims.json").read_bytes() == (
            tmp_path / f"cold-{step}" / "claims.json"
        ).read_bytes()
        return found

    claims, text = _claims_yaml(site)
    claims.write_text(text.replace("  summary: By count", "  summary: Recounted. By count"))
    # The article's two claims (its claims.yaml is part of each key); the other's is copied.
    assert rebuilt(0) == ["fraction-of-cost", "leads-open-models"]
    # The article that reuses a review retitled: that review's record shows its title too.
    index = site / "content/articles/cost-claims-again/index.md"
    index.write_text(index.read_text().replace("title: The cheap", "title: Once more, the cheap"))
    assert rebuilt(1) == ["fraction-of-cost", "rules-pointless"]
    # An article that reuses a review and reviews none (no record of its own has its key first).
    third = site / "content/articles/cost-claims-third"
    third.mkdir()
    (third / "index.md").write_text(
        "---\ntitle: It leads\ndate: 2025-04-06\n---\nThe country leads the world in open models.\n"
    )
    (third / "claims.yaml").write_text(
        "- id: leads-again\n  quote: country leads the world in open models\n"
        "  review: cost-claims-first/leads-open-models\n"
    )
    assert rebuilt(2) == ["leads-open-models"]
    index = third / "index.md"
    index.write_text(index.read_text().replace("title: It leads", "title: It leads still"))
    assert rebuilt(3) == ["leads-open-models"]
    everything = ["fraction-of-cost", "leads-open-models", "rules-pointless"]
    config = site / "content/site.yaml"
    config.write_text(config.read_text().replace("label: Inaccurate", "label: Wrong"))
    assert rebuilt(4) == everything  # a setting every record may show
    claims.write_text(text)
    assert rebuilt(5, clean=True) == everything
