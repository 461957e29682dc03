"""The command line explains itself and fails with one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from distillguard.cli import COMMANDS, build_parser, command_module, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_help_is_the_modules_own(name: str) -> None:
    assert COMMANDS[name] == command_module(name).HELP


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser([name, "--help"]).parse_args([name, "--help"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: distillguard {name}")


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["distill"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_bad_input_is_one_line_and_non_zero(tmp_path: object) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "distillguard.cli",
            "replay",
            "/nonexistent/events.jsonl",
            "--out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("distillguard: error: ")
    assert "Traceback" not in result.stderr
