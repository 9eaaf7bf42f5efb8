"""The SMTP probe against a real aiosmtpd server on loopback: delivery, refusals kept as evidence, errors that say what to fix."""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from demo.mailserver.smtp_sink import RecordingSmtpServer
from shopper.errors import ConfigError, ProbeError
from shopper.mail.outgoing import compose
from shopper.probes.smtp import SendResult, SmtpSettings, send
from shopper.secrets import Secret

pytestmark = pytest.mark.smtp

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
TOKEN = "ms-abcdefgh2345"
PASSWORD = "s3cret-Pa55word"


def settings_for(server: RecordingSmtpServer, **overrides) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, security="none", timeout=5.0, **overrides)


def message(to="support@shop.test", **extra):
    msg = compose(from_addr="shopper+contact@buyer.test", from_name="Zoë Martin", to=to,
                  subject="Où est ma commande ?", body="Bonjour,\nma commande n'est pas arrivée.",
                  token=TOKEN, journey="contact", now=NOW)
    for name, value in extra.items():
        msg[name] = value
    return msg


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound by us but not listening: connecting to it is refused, and nobody else can take it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_accepted_message_arrives_with_its_headers(smtp: RecordingSmtpServer):
    result = send(settings_for(smtp, helo="client.buyer.test"), message(Bcc="audit@buyer.test"))

    assert result == SendResult(accepted=("support@shop.test", "audit@buyer.test"), refused={},
                                data_code=250, data_text="2.0.0 Ok: queued", ok=True)
    [received] = smtp.wait_for(1, timeout=5)
    assert received.mail_from == "shopper+contact@buyer.test"
    assert received.rcpt_tos == ("support@shop.test", "audit@buyer.test")
    assert received.login is None
    msg = received.message
    assert msg["From"] == "Zoë Martin <shopper+contact@buyer.test>"
    assert msg["To"] == "support@shop.test"
    assert msg["Subject"] == "Où est ma commande ? [ms-abcdefgh2345]"
    assert msg["Date"] == "Mon, 05 Jan 2026 09:00:00 +0000"
    assert msg["Message-ID"] == "<ms-abcdefgh2345.contact@buyer.test>"
    assert msg["Bcc"] is None
    assert msg.get_content().replace("\r\n", "\n") == "Bonjour,\nma commande n'est pas arrivée.\n\nReference: ms-abcdefgh2345\n"
    assert b"\r\nReference: ms-abcdefgh2345\r\n" in received.data


def test_refused_recipient_is_recorded_with_code_and_text(smtp: RecordingSmtpServer):
    smtp.reject_rcpt("gone@shop.test")

    result = send(settings_for(smtp), message(to=["gone@shop.test", "support@shop.test"]))

    assert result.accepted == ("support@shop.test",)
    assert dict(result.refused) == {
        "gone@shop.test": (550, "5.1.1 <gone@shop.test>: Recipient address rejected: User unknown"),
    }
    assert (result.data_code, result.ok) == (250, True)
    [received] = smtp.wait_for(1, timeout=5)
    assert received.rcpt_tos == ("support@shop.test",)


def test_every_recipient_refused_sends_no_data(smtp: RecordingSmtpServer):
    smtp.reject_rcpt("gone@shop.test")
    smtp.reject_rcpt("later@shop.test", "450 4.2.0 <later@shop.test>: Recipient address rejected: Greylisted")

    result = send(settings_for(smtp), message(to=["gone@shop.test", "later@shop.test"]))

    assert result == SendResult(
        accepted=(),
        refused={"gone@shop.test": (550, "5.1.1 <gone@shop.test>: Recipient address rejected: User unknown"),
                 "later@shop.test": (450, "4.2.0 <later@shop.test>: Recipient address rejected: Greylisted")},
        data_code=None, data_text="", ok=False,
    )
    assert smtp.messages == []


def test_refusal_at_data_is_recorded(smtp: RecordingSmtpServer):
    smtp.reject_data("552 5.2.2 Mailbox full")

    result = send(settings_for(smtp), message())

    assert result == SendResult(accepted=("support@shop.test",), refused={},
                                data_code=552, data_text="5.2.2 Mailbox full", ok=False)
    assert smtp.messages == []


def test_login_and_send(smtp: RecordingSmtpServer):
    smtp.require_auth("shopper", PASSWORD)

    result = send(settings_for(smtp, user="shopper", password=Secret("SHOPPER_SMTP_PASSWORD", PASSWORD)), message())

    assert result.ok
    [received] = smtp.wait_for(1, timeout=5)
    assert received.login == "shopper"


def test_wrong_password_names_the_server_and_the_fix_but_not_the_password(smtp: RecordingSmtpServer):
    smtp.require_auth("shopper", PASSWORD)
    wrong = "wr0ng-" + PASSWORD

    with pytest.raises(ProbeError) as info:
        send(settings_for(smtp, user="shopper", password=Secret("SHOPPER_SMTP_PASSWORD", wrong)), message())

    text = str(info.value)
    assert text == (
        f"SMTP login failed for user shopper at 127.0.0.1:{smtp.port} (535 5.7.8 Authentication credentials "
        "invalid): check the user and the password in SHOPPER_SMTP_PASSWORD"
    )
    assert wrong not in text and wrong not in repr(info.value)
    assert smtp.messages == []


def test_logs_never_hold_the_password(smtp: RecordingSmtpServer, caplog: pytest.LogCaptureFixture):
    smtp.require_auth("shopper", PASSWORD)
    caplog.set_level("DEBUG")

    send(settings_for(smtp, user="shopper", password=Secret("SHOPPER_SMTP_PASSWORD", PASSWORD)), message())
    with pytest.raises(ProbeError):
        send(settings_for(smtp, user="shopper", password=Secret("SHOPPER_SMTP_PASSWORD", "x" + PASSWORD)), message())

    assert "SMTP 127.0.0.1" in caplog.text  # something was logged
    assert PASSWORD not in caplog.text


def test_server_requiring_login_refuses_an_anonymous_sender(smtp: RecordingSmtpServer):
    smtp.require_auth("shopper", PASSWORD)

    with pytest.raises(ProbeError) as info:
        send(settings_for(smtp), message())

    assert str(info.value) == (
        f"SMTP server 127.0.0.1:{smtp.port} refused the sender shopper+contact@buyer.test "
        "(530 5.7.0 Authentication required): it requires a login: set the smtp user and the password "
        "in SHOPPER_SMTP_PASSWORD"
    )


def test_user_without_password(smtp: RecordingSmtpServer):
    with pytest.raises(ProbeError) as info:
        send(settings_for(smtp, user="shopper"), message())

    assert str(info.value) == (
        f"SMTP user shopper at 127.0.0.1:{smtp.port} has no password: set it in SHOPPER_SMTP_PASSWORD"
    )


def test_starttls_required_but_not_offered(smtp: RecordingSmtpServer):
    with pytest.raises(ProbeError) as info:
        send(SmtpSettings(host=smtp.host, port=smtp.port, timeout=5.0), message())  # security: starttls

    assert str(info.value) == (
        f"SMTP server 127.0.0.1:{smtp.port} does not offer STARTTLS: use security: ssl if it is an "
        "implicit-TLS port (465), or security: none only for a trusted local server"
    )
    assert smtp.messages == []


def test_closed_port(closed_port: int):
    settings = SmtpSettings(host="127.0.0.1", port=closed_port, security="none", timeout=5.0)

    with pytest.raises(ProbeError) as info:
        send(settings, message())

    assert str(info.value) == (
        f"cannot connect to SMTP server 127.0.0.1:{closed_port}: connection refused; check the smtp host "
        "and port and that the server is running"
    )


def test_bad_security_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        SmtpSettings(host="127.0.0.1", port=25, security="tls")

    assert str(info.value) == (
        "smtp security 'tls' is not one of ssl, starttls, none "
        "(ssl for port 465, starttls for 587, none only for a local test server)"
    )


def test_settings_repr_hides_the_password():
    settings = SmtpSettings(host="smtp.buyer.test", port=587, user="shopper",
                            password=Secret("SHOPPER_SMTP_PASSWORD", PASSWORD))

    assert PASSWORD not in repr(settings)


# -- TLS: a self-signed certificate for 127.0.0.1, made with the openssl command ---------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("smtp-tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture(scope="module")
def starttls_server(certificate) -> Iterator[RecordingSmtpServer]:
    with RecordingSmtpServer(starttls=server_context(certificate)) as server:
        yield server


@pytest.fixture(scope="module")
def implicit_tls_server(certificate) -> Iterator[RecordingSmtpServer]:
    with RecordingSmtpServer(implicit_tls=server_context(certificate)) as server:
        yield server


def test_starttls_with_the_servers_ca(starttls_server: RecordingSmtpServer, certificate):
    starttls_server.reset()
    settings = SmtpSettings(host="127.0.0.1", port=starttls_server.port, security="starttls", timeout=5.0,
                            ca_file=str(certificate[0]))

    assert send(settings, message()).ok
    assert len(starttls_server.wait_for(1, timeout=5)) == 1


def test_starttls_with_an_untrusted_certificate(starttls_server: RecordingSmtpServer):
    starttls_server.reset()
    settings = SmtpSettings(host="127.0.0.1", port=starttls_server.port, security="starttls", timeout=5.0)

    with pytest.raises(ProbeError) as info:
        send(settings, message())

    assert str(info.value) == (
        f"the TLS certificate of SMTP server 127.0.0.1:{starttls_server.port} is not trusted "
        "(self-signed certificate); set ca_file to its CA, or verify_tls: false for a test server"
    )
    assert starttls_server.messages == []


def test_implicit_tls_without_verification(implicit_tls_server: RecordingSmtpServer):
    implicit_tls_server.reset()
    settings = SmtpSettings(host="127.0.0.1", port=implicit_tls_server.port, security="ssl", timeout=5.0,
                            verify_tls=False)

    assert send(settings, message()).ok
    assert len(implicit_tls_server.wait_for(1, timeout=5)) == 1


def test_plain_smtp_to_an_implicit_tls_port_times_out_with_a_hint(implicit_tls_server: RecordingSmtpServer):
    settings = SmtpSettings(host="127.0.0.1", port=implicit_tls_server.port, security="none", timeout=0.3)

    with pytest.raises(ProbeError) as info:
        send(settings, message())

    assert str(info.value) == (
        f"SMTP server 127.0.0.1:{implicit_tls_server.port} did not answer within 0.3s while connecting to it; "
        "check the port and security (ssl for 465, starttls for 587) and any firewall"
    )
