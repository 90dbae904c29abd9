"""Requests to tenant-chosen URLs: URL rules, the refusal of private, loopback,
link-local and other non-public addresses (IPv4, IPv6, IPv4-mapped), the setting that
allows them, the request pinned to the checked address, and no redirect followed; and
the connectors' client, which checks every connection it opens."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.errors import ForbiddenTargetError
from connectors.http import HttpClient
from gateway.errors import ValidationFailed
from gateway.outbound_http import (
    MAX_URL_LENGTH,
    GuardedTransport,
    UnsafeTarget,
    check_target,
    connector_client,
    forbidden_reason,
    post,
    resolve_target,
    target_url,
)
from gateway.settings import Settings
from tests.support.counting_server import CountingServer, counting_server
from tests.support.fake_dns import fake_dns
from tests.support.receiver import Answer, Receiver, serving


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    async with serving(receiver) as base_url:
        yield receiver, base_url


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_forbidden(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "must not be empty"),
        ("ftp://hooks.example.com/x", "http or https"),
        ("javascript:alert(1)", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("/relative/path", "http or https"),
        ("https://user:secret@hooks.example.com/", "credentials"),
        ("https://hooks.example.com/#frag", "fragment"),
        ("https://hooks.example.com/" + "a" * MAX_URL_LENGTH, "at most 2048"),
        ("http://[::1/", "not a valid URL"),
    ],
)
def test_bad_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        target_url(url)
    assert refused.value.field == "url"
    assert message in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.5:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9000/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:6379/",
        "http://api.localhost/",
        "http://0x7f.1/",
    ],
)
async def test_private_targets_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        await check_target(target_url(url), allow_private=False)
    await check_target(target_url(url), allow_private=True)


async def test_an_unresolvable_name_is_accepted_when_saved() -> None:
    await check_target(target_url("https://no-such-host.invalid/hook"), allow_private=False)


async def test_the_request_goes_to_the_checked_address_with_the_name_kept() -> None:
    target = await resolve_target(target_url("https://localhost:8443/a?b=1"), allow_private=True)
    assert target.url.host in ("127.0.0.1", "::1")
    assert (target.url.port, target.url.path, target.url.query) == (8443, "/a", b"b=1")
    assert target.host_header == "localhost:8443"
    assert target.sni_hostname == "localhost"


async def test_post_reaches_a_named_host_through_the_pinned_address(
    receiver: tuple[Receiver, str],
) -> None:
    server, base_url = receiver
    port = httpx.URL(base_url).port
    async with httpx.AsyncClient() as client:
        reply = await post(
            client,
            f"http://localhost:{port}/pinned",
            b"{}",
            {},
            time_limit=5,
            allow_private=True,
        )
    assert reply.status_code == 200, reply
    assert reply.excerpt == "ok"
    assert server.at("/pinned")[-1].headers["host"] == f"localhost:{port}"


async def test_post_refuses_a_private_target_without_sending(
    receiver: tuple[Receiver, str],
) -> None:
    server, base_url = receiver
    async with httpx.AsyncClient() as client:
        reply = await post(
            client, f"{base_url}/refused", b"{}", {}, time_limit=5, allow_private=False
        )
    assert reply.refused and reply.status_code is None
    assert "loopback" in (reply.error or "")
    assert server.at("/refused") == []


async def test_redirects_are_never_followed(receiver: tuple[Receiver, str]) -> None:
    server, base_url = receiver
    server.script("/moved", Answer(307, headers={"location": f"{base_url}/elsewhere"}))
    async with httpx.AsyncClient(follow_redirects=True) as client:
        reply = await post(client, f"{base_url}/moved", b"{}", {}, time_limit=5, allow_private=True)
    assert reply.status_code == 307
    assert server.at("/elsewhere") == []


async def test_timeouts_and_long_answers(receiver: tuple[Receiver, str]) -> None:
    server, base_url = receiver
    server.script("/slow", Answer(200, delay=5))
    server.script("/long", Answer(200, body="é" * 5000))
    async with httpx.AsyncClient() as client:
        slow = await post(client, f"{base_url}/slow", b"", {}, time_limit=0.2, allow_private=True)
        long = await post(client, f"{base_url}/long", b"", {}, time_limit=5, allow_private=True)
    assert slow.status_code is None and slow.error == "no answer within 0.2 s"
    assert not slow.refused
    assert 150 <= slow.duration_ms < 2000
    assert long.excerpt == "é" * 1000


async def test_a_closed_port_is_an_error_not_an_exception() -> None:
    async with httpx.AsyncClient() as client:
        reply = await post(client, "http://127.0.0.1:9/", b"", {}, time_limit=2, allow_private=True)
    assert reply.status_code is None and reply.error and not reply.refused


def _certificates(directory: Path) -> tuple[Path, Path, str]:
    """A CA and a ``localhost`` certificate it signed: (cert file, key file, CA PEM)."""
    now = datetime.now(UTC)

    def build(
        subject: str,
        issuer: x509.Name | None,
        key: ec.EllipticCurvePrivateKey,
        signer: ec.EllipticCurvePrivateKey,
        ca: bool,
    ) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            san = x509.SubjectAlternativeName([x509.DNSName("localhost")])
            builder = builder.add_extension(san, critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = build("test CA", None, ca_key, ca_key, ca=True)
    leaf = build("localhost", ca.subject, leaf_key, ca_key, ca=False)
    cert_file, key_file = directory / "leaf.pem", directory / "leaf.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, ca.public_bytes(serialization.Encoding.PEM).decode()


async def test_https_through_the_pinned_address_keeps_sni_and_verifies_the_name(
    tmp_path: Path,
) -> None:
    cert_file, key_file, ca_pem = _certificates(tmp_path)
    receiver = Receiver()
    tls = {"ssl_certfile": str(cert_file), "ssl_keyfile": str(key_file)}
    async with serving(receiver, **tls) as base_url:
        port = httpx.URL(base_url).port
        trusted = ssl.create_default_context(cadata=ca_pem)
        async with httpx.AsyncClient(verify=trusted) as client:
            reply = await post(
                client,
                f"https://localhost:{port}/tls",
                b"{}",
                {},
                time_limit=5,
                allow_private=True,
            )
    assert reply.status_code == 200, reply
    [request] = receiver.at("/tls")
    assert request.headers["host"] == f"localhost:{port}"
    assert request.headers["connection"] == "close"


# --- the connectors' client -----------------------------------------------------------


@pytest.fixture
async def listener() -> AsyncIterator[CountingServer]:
    async with counting_server() as server:
        yield server


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    return fake_dns(monkeypatch)


def _refused_urls(port: int) -> list[tuple[str, str]]:
    return [
        (f"http://127.0.0.1:{port}/", "plain http"),
        (f"https://127.0.0.1:{port}/", "is a loopback address"),
        (f"https://[::ffff:127.0.0.1]:{port}/", "loopback address"),
        (f"https://localhost:{port}/", "loopback name"),
        (f"https://svc.test:{port}/", "svc.test resolves to a loopback address"),
        (f"https://metadata.test:{port}/", "resolves to a link-local address"),
        (f"https://office.test:{port}/", "resolves to a private address"),
        (f"http://public.test:{port}/", "public.test is called over plain http"),
    ]


async def test_the_connector_transport_refuses_before_connecting(
    listener: CountingServer, dns: dict[str, list[str]]
) -> None:
    dns.update({"svc.test": ["127.0.0.1"], "metadata.test": ["169.254.169.254"]})
    dns.update({"office.test": ["10.20.30.40"], "public.test": ["93.184.216.34"]})
    transport = GuardedTransport(allow_private=False)
    async with httpx.AsyncClient(transport=transport, timeout=2) as client:
        for url, reason in _refused_urls(listener.port):
            with pytest.raises(ForbiddenTargetError) as refused:
                await client.get(url)
            assert reason in refused.value.message, url
            assert not refused.value.retryable
    assert (listener.connections, listener.requests) == (0, 0)


async def test_allowed_private_targets_are_reached_through_the_checked_address(
    listener: CountingServer, dns: dict[str, list[str]]
) -> None:
    dns["svc.test"] = ["127.0.0.1"]
    async with httpx.AsyncClient(transport=GuardedTransport(allow_private=True)) as client:
        for host in ("127.0.0.1", "localhost", "svc.test"):
            response = await client.get(f"http://{host}:{listener.port}/")
            assert (response.status_code, response.json()) == (200, [])
    assert listener.requests == 3


async def test_the_connection_goes_to_the_address_that_was_checked(
    listener: CountingServer, dns: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that answers a public address to the check and a loopback one right after
    (DNS rebinding) still gets its connection opened to the public one. 127.0.0.2 stands
    in for the public address: nothing listens there, the listener is on 127.0.0.1."""
    dns["flip.test"] = ["127.0.0.2", "127.0.0.1"]
    real_reason = forbidden_reason

    def reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        return None if str(address) == "127.0.0.2" else real_reason(address)

    monkeypatch.setattr("gateway.outbound_http.forbidden_reason", reason)
    transport = GuardedTransport(allow_private=False)
    async with httpx.AsyncClient(transport=transport, timeout=2) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"https://flip.test:{listener.port}/")
    assert listener.connections == 0


async def test_a_trusted_origin_passes_and_nothing_else_does(listener: CountingServer) -> None:
    trusted = [f"http://127.0.0.1:{listener.port}/v1"]
    transport = GuardedTransport(allow_private=False, trusted=trusted)
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"http://127.0.0.1:{listener.port}/v1/models")).status_code == 200
        with pytest.raises(ForbiddenTargetError):
            await client.get(f"http://localhost:{listener.port}/v1/models")
    assert listener.requests == 1


async def test_connector_client_follows_the_setting(listener: CountingServer) -> None:
    url = f"http://127.0.0.1:{listener.port}/"
    async with connector_client(Settings(connector_allow_private_targets=False)) as strict:
        with pytest.raises(ForbiddenTargetError):
            await strict.get(url)
    assert listener.connections == 0
    async with connector_client(Settings(connector_allow_private_targets=True)) as lenient:
        assert (await lenient.get(url)).status_code == 200
    ai = Settings(ai_provider="openai", ai_base_url=url, ai_model="m")
    async with connector_client(ai) as with_ai:
        assert (await with_ai.get(f"{url}chat/completions")).status_code == 200
    assert listener.requests == 2


async def test_a_refused_target_is_raised_by_the_connector_layer_without_retrying(
    listener: CountingServer,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with httpx.AsyncClient(transport=GuardedTransport(allow_private=False)) as client:
        http = HttpClient(
            client,
            base_url=f"https://127.0.0.1:{listener.port}/api",
            integration="test:guard",
            sleep=sleep,
        )
        with pytest.raises(ForbiddenTargetError):
            await http.get_json("/jobs")
    assert waits == []
    assert listener.connections == 0


async def test_https_through_the_guard_verifies_the_name(tmp_path: Path) -> None:
    cert_file, key_file, ca_pem = _certificates(tmp_path)
    receiver = Receiver()
    tls = {"ssl_certfile": str(cert_file), "ssl_keyfile": str(key_file)}
    async with serving(receiver, **tls) as base_url:
        port = httpx.URL(base_url).port
        trusted = ssl.create_default_context(cadata=ca_pem)
        transport = GuardedTransport(allow_private=True, verify=trusted)
        async with httpx.AsyncClient(transport=transport) as client:
            reply = await client.post(f"https://localhost:{port}/tls", content=b"{}")
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.post(f"https://127.0.0.1:{port}/tls", content=b"{}")
    assert reply.status_code == 200
    [request] = receiver.at("/tls")
    assert request.headers["host"] == f"localhost:{port}"
