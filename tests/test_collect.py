"""grader collect: the last commit at or before each student's deadline, from real local repositories
whose commits carry chosen dates (GIT_COMMITTER_DATE)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradebook.collect import (CollectError, RepoSource, collect_repos, collected_times, deadlines_for,
                                      load_list, parse_due, public_url, student_of)

DUE = datetime(2026, 12, 4, 23, 59, tzinfo=timezone.utc)


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@x", "GIT_COMMITTER_NAME": "s",
           "GIT_COMMITTER_EMAIL": "s@x", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def make_repo(root: Path, name: str, commits: list[tuple[str, str]]) -> tuple[Path, list[str]]:
    """A repository whose commits write answer.py = TEXT at the given dates (ISO, with zone)."""
    repo = root / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shas = []
    for date, text in commits:
        (repo / "exercises").mkdir(exist_ok=True)
        (repo / "exercises" / "answer.py").write_text(text)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", text, date=date)
        shas.append(git(repo, "rev-parse", "HEAD"))
    return repo, shas


@pytest.fixture
def repos(tmp_path):
    root = tmp_path / "remotes"
    on_time, on_time_shas = make_repo(root, "alice", [("2026-12-03T10:00:00+00:00", "v1"),
                                                      ("2026-12-04T23:59:00+00:00", "v2 at the deadline")])
    late, late_shas = make_repo(root, "bob.git", [("2026-12-04T20:00:00+00:00", "before"),
                                                  ("2026-12-05T09:00:00+00:00", "after the deadline")])
    extended, ext_shas = make_repo(root, "chloe", [("2026-12-04T12:00:00+00:00", "first"),
                                                   ("2026-12-06T12:00:00+00:00", "within the extension"),
                                                   ("2026-12-09T12:00:00+00:00", "past the extension")])
    # A hook in the student's repository must never run (hooks are not cloned, and are off anyway).
    hook = on_time / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {tmp_path / 'HOOK-RAN'}\n")
    hook.chmod(0o755)
    return {"alice": (on_time, on_time_shas), "bob": (late, late_shas), "chloe": (extended, ext_shas),
            "root": root}


def test_each_student_gets_the_last_commit_at_or_before_their_deadline(repos, tmp_path):
    out = tmp_path / "week5"
    sources = [RepoSource("alice", str(repos["alice"][0])), RepoSource("bob", str(repos["bob"][0])),
               RepoSource("chloe", str(repos["chloe"][0])), RepoSource("dan", str(repos["root"] / "dan"))]
    deadlines = deadlines_for(sources, DUE, {"Chloe": datetime(2026, 12, 7, 23, 59, tzinfo=timezone.utc)})
    report = collect_repos(sources, out, deadlines, assignment="week5", timeout=60)
    assert [c.student for c in report.collected] == ["alice", "bob", "chloe"]
    assert len(report.failed) == 1 and report.failed[0].startswith("dan: ") and "\n" not in report.failed[0]
    assert "does not exist" in report.failed[0]   # git's own reason, in one line
    assert (out / "alice" / "exercises" / "answer.py").read_text() == "v2 at the deadline"  # at the deadline counts
    assert (out / "bob" / "exercises" / "answer.py").read_text() == "before"
    assert (out / "chloe" / "exercises" / "answer.py").read_text() == "within the extension"
    assert not (out / "dan").exists() and not (tmp_path / "HOOK-RAN").exists()
    assert sorted(p.name for p in out.iterdir()) == ["alice", "bob", "chloe", "collected.json"]
    record = json.loads((out / "collected.json").read_text())
    assert record["bob"]["commit"] == repos["bob"][1][0] and record["chloe"]["commit"] == repos["chloe"][1][1]
    assert record["alice"]["repo"] == str(repos["alice"][0])
    assert datetime.fromisoformat(record["bob"]["time"]) == datetime(2026, 12, 4, 20, tzinfo=timezone.utc)
    assert collected_times(out) == {
        "alice": (datetime(2026, 12, 4, 23, 59, tzinfo=timezone.utc), "commit"),
        "bob": (datetime(2026, 12, 4, 20, tzinfo=timezone.utc), "commit"),
        "chloe": (datetime(2026, 12, 6, 12, tzinfo=timezone.utc), "commit"),
    }
    # Collected again after a new commit on time: the folder is replaced, not mixed.
    (repos["bob"][0] / "exercises" / "extra.py").write_text("x = 1\n")
    git(repos["bob"][0], "checkout", "-q", repos["bob"][1][0])
    git(repos["bob"][0], "checkout", "-q", "-b", "fix")
    git(repos["bob"][0], "add", "-A")
    git(repos["bob"][0], "commit", "-q", "-m", "fix", date="2026-12-04T21:00:00+00:00")
    collect_repos([RepoSource("bob", str(repos["bob"][0]))], out, {"bob": DUE}, timeout=60)
    assert (out / "bob" / "exercises" / "extra.py").is_file()
    assert sorted(collected_times(out)) == ["alice", "bob", "chloe"]


def test_a_repository_with_no_commit_before_the_deadline_is_not_collected(repos, tmp_path):
    report = collect_repos([RepoSource("bob", str(repos["bob"][0]))], tmp_path / "out",
                           {"bob": datetime(2026, 12, 1, tzinfo=timezone.utc)}, timeout=60)
    assert report.collected == [] and "no commit at or before the deadline" in report.failed[0]
    assert collected_times(tmp_path / "out") == {}


def test_the_command_with_a_list_file_and_extensions(repos, tmp_path, monkeypatch):
    listing = tmp_path / "repos.csv"
    listing.write_text(f"student_id,url\nalice,{repos['alice'][0]}\nchloe,{repos['chloe'][0]}\n"
                       f"dan,{repos['root'] / 'dan'}\n")
    extensions = tmp_path / "extensions.csv"
    extensions.write_text("chloe,2026-12-09T23:00:00Z\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["collect", "--assignment", "week5", "--list", str(listing), "--due",
                                       "2026-12-05T00:59:00+01:00", "--extensions", str(extensions),
                                       "--out", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert any(line.startswith("Not collected: dan: ") for line in lines)
    assert "Traceback" not in result.output
    assert (out / "chloe" / "exercises" / "answer.py").read_text() == "past the extension"
    assert (out / "alice" / "exercises" / "answer.py").read_text() == "v2 at the deadline"


def test_input_errors_are_one_line(repos, tmp_path):
    def run(*args):
        result = CliRunner().invoke(main, ["collect", *args])
        assert result.exit_code != 0 and "Traceback" not in result.output
        return result.output.strip()

    assert "has no time zone" in run(str(repos["alice"][0]), "--due", "2026-12-04T23:59", "--out", str(tmp_path / "o"))
    assert "not an ISO 8601 time" in run(str(repos["alice"][0]), "--due", "friday", "--out", str(tmp_path / "o"))
    assert "give REPOS or --list" in run("--due", "2026-12-04T23:59Z", "--out", str(tmp_path / "o"))
    bad = tmp_path / "bad.csv"
    bad.write_text("alice\n")
    assert "line 1: write student_id,url" in run("--list", str(bad), "--due", "2026-12-04T23:59Z", "--out",
                                                  str(tmp_path / "o"))
    with pytest.raises(CollectError, match="no repository here"):
        deadlines_for([RepoSource("alice", "x")], DUE, {"zed": DUE})


def test_a_repository_that_hangs_is_stopped_at_the_timeout(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("GIT_SSH_COMMAND", "sleep 60;true")   # a server that never answers
    started = time.monotonic()
    report = collect_repos([RepoSource("slow", "ssh://git.invalid/slow.git")], tmp_path / "out", {"slow": DUE},
                           timeout=1.5)
    assert time.monotonic() - started < 10
    assert report.failed == ["slow: ssh://git.invalid/slow.git: took longer than the timeout"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []   # no clone left behind


def test_names_and_urls():
    assert student_of("https://github.com/course/alice-week5.git") == "alice-week5"
    assert student_of("git@github.com:course/bob.git") == "bob"
    assert student_of("/srv/repos/chloe/") == "chloe"
    assert public_url("https://bob:ghp_secret@github.com/c/bob.git") == "https://github.com/c/bob.git"
    assert parse_due("2026-12-04T23:59Z") == DUE


def test_a_list_cannot_name_a_folder_outside(tmp_path):
    listing = tmp_path / "l.csv"
    listing.write_text("../evil,/x\n")
    with pytest.raises(CollectError, match="cannot name a folder"):
        load_list(listing)
