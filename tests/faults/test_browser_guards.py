"""What a page cannot make the audit's browser do: keep a pop-up open, open a file chooser, download a file,
or navigate a step to a local file."""
from __future__ import annotations

import pytest

from shopper.config import NetworkConfig

pytestmark = [pytest.mark.faults, pytest.mark.browser]


def test_popups_are_recorded_and_closed_choosers_and_downloads_never_happen(audit, shop_healthy, tmp_path):
    page = ("data:text/html,<title>t</title><main><p>hello</p>"
            "<a id=dl href='data:application/octet-stream;base64,TVotcGF5bG9hZC1kb3dubG9hZGVk' "   # MZ-payload-downloaded
            "download='setup.exe'>Get the app</a>"
            "<input type=file id=f aria-label=Upload>"
            f"<a id=pop href='{shop_healthy.url}/' target=_blank>Offer</a></main>")
    journey = tmp_path / "guards.yaml"
    journey.write_text(f"name: guards\nsteps:\n  - open: \"{page}\"\n"
                       "  - click: {selector: '#pop'}\n  - click: {selector: '#f'}\n  - click: {selector: '#dl'}\n"
                       "  - expect: hello\n")
    a = audit([journey], network=NetworkConfig())
    (j,) = a.result.journeys
    kinds = [o.kind for o in j.observations]
    assert "popup" in kinds and "file_chooser" in kinds, kinds
    assert j.status == "clean", [(s.kind, s.status, s.error) for s in j.steps]
    assert not [p for p in a.config.var_path.rglob("*") if p.name.endswith(".exe") or b"MZ-payload-downloaded" in
                (p.read_bytes() if p.is_file() else b"")]


def test_a_step_cannot_send_the_page_to_a_local_file(audit, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-local-file-91c2")
    journey = tmp_path / "local.yaml"
    journey.write_text(f"name: local\nvariables: {{where: '{secret.as_uri()}'}}\nsteps:\n  - open: ${{where}}\n")
    a = audit([journey], network=NetworkConfig())
    (j,) = a.result.journeys
    assert j.steps[0].status == "failed" and "reach policy refused it" in j.steps[0].error
    refused = [o.data for o in j.observations if o.kind == "link_refused"]
    assert refused and refused[0]["reason"] == "link to a local resource (file:), not followed"
    assert not [p for p in a.config.var_path.rglob("*") if p.is_file() and b"MARKER-local-file" in p.read_bytes()]
