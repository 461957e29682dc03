"""How a worker advertises its web server to the others (forwarded /accounts, /clusters)."""

from __future__ import annotations

import socket

import pytest
from pydantic import ValidationError

from distillguard.cli import main
from distillguard.streams.worker.settings import WorkerSettings

EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 (what --web binds in a pod; nothing binds here)


def settings(**over: object) -> WorkerSettings:
    return WorkerSettings(bootstrap="127.0.0.1:9092", **over)  # type: ignore[arg-type]


def test_the_web_address_is_advertised_as_it_is_bound() -> None:
    assert settings(web_host="10.1.2.3", web_port=7000).canonical_url == "http://10.1.2.3:7000"


def test_a_server_on_every_interface_is_advertised_under_the_hosts_name() -> None:
    """``0.0.0.0`` would send every forwarded request back to the forwarding worker."""
    for host in (EVERY_INTERFACE, "::"):
        url = settings(web_host=host, web_port=6066).canonical_url
        assert url == f"http://{socket.getfqdn()}:6066" and EVERY_INTERFACE not in url


def test_an_explicit_url_wins() -> None:
    s = settings(web_host=EVERY_INTERFACE, advertised_url="http://worker-0.w.ns.svc:6066/")
    assert s.canonical_url == "http://worker-0.w.ns.svc:6066"


@pytest.mark.parametrize("bad", ["worker-0:6066", "ftp://x:1", "http://a b:1", "http://x/path"])
def test_a_url_that_is_not_a_web_servers_address_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        settings(advertised_url=bad)


def test_the_command_line_refuses_it_with_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["worker", "--bootstrap-servers", "127.0.0.1:1", "--advertise-url", "worker-0"])
    assert code != 0
    assert "advertised_url" in capsys.readouterr().err
