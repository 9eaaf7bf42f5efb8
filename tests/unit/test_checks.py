"""Checks turn observations into findings with stable fingerprints; one finding per fingerprint."""
from types import SimpleNamespace

from checks import Observations, run_checks
from shopper.model import Observation


def journey(name, observations=(), steps=(), error=None, evidence=()):
    return SimpleNamespace(name=name, observations=list(observations), steps=list(steps), error=error,
                           evidence=list(evidence))


def obs(kind, data, journey="j", step=0):
    return Observation(kind, journey, step, data, "2026-01-01T00:00:00+00:00")


def link(url, ok, status=None, error=None, journey="j"):
    return obs("link", journey=journey, data={"url": url, "page": "http://shop.test/", "text": "x", "ok": ok, "status": status,
                        "error": error, "final_url": url})


def test_broken_links_only_and_deduplicated():
    j = journey("j", [link("http://a.test/ok", True, 200), link("http://a.test/404", False, 404),
                      link("http://a.test/404", False, 404), link("http://dead.test/", False, error="DNS: nxdomain")])
    found = run_checks(Observations([j]))
    assert sorted((f.kind, f.subject, f.severity) for f in found) == [
        ("broken_link", "http://a.test/404", "minor"), ("broken_link", "http://dead.test/", "major")]


def test_fingerprint_is_stable_across_runs_and_differs_by_journey():
    a = run_checks(Observations([journey("j", [link("http://a.test/404", False, 404)])]))
    b = run_checks(Observations([journey("j", [link("http://a.test/404", False, 404)])]))
    c = run_checks(Observations([journey("k", [link("http://a.test/404", False, 404, journey="k")])]))
    assert a[0].fingerprint == b[0].fingerprint != c[0].fingerprint


def test_page_errors_for_audited_documents_and_xhr_only():
    resp = lambda url, status, typ="document", audited=True, main=True: obs(  # noqa: E731
        "response", {"url": url, "status": status, "type": typ, "method": "GET", "audited": audited,
                     "main_frame": main if typ == "document" else None})
    j = journey("j", [resp("http://s.test/ok", 200), resp("http://s.test/boom", 500),
                      resp("http://s.test/api", 404, "xhr"), resp("http://cdn.test/x", 500, audited=False),
                      resp("http://s.test/frame", 500, main=False),
                      obs("js_error", {"message": "TypeError: x is undefined", "url": "http://s.test/p?q=1",
                                       "stack": "at p.js:1", "name": "TypeError"})])
    found = sorted((f.kind, f.title) for f in run_checks(Observations([j])))
    assert found == [
        ("page_error", "Page http://s.test/boom answered HTTP 500"),
        ("page_error", "Request http://s.test/api answered HTTP 404"),
        ("page_error", "Uncaught JavaScript error on http://s.test/p?q=1: TypeError: x is undefined"),
    ]


def test_failed_steps_and_broken_journeys():
    step = SimpleNamespace(index=2, kind="click", label="click #send", status="failed", error="timeout",
                           evidence=["a.png"], url="http://s.test/", line=7)
    ok = SimpleNamespace(index=1, kind="open", label="open /", status="passed", error=None, evidence=[],
                         url=None, line=6)
    found = run_checks(Observations([journey("j", steps=[ok, step], evidence=["trace.zip"]),
                                     journey("k", error="no site profile")]))
    assert sorted((f.kind, f.journey, f.step, tuple(f.evidence)) for f in found) == [
        ("step_failed", "j", 2, ("a.png", "trace.zip")), ("step_failed", "k", None, ())]


def test_site_relative_keeps_other_hosts_whole():
    """A URL is shortened only under the base URL itself: shop.example.org is not a path of shop.example."""
    o = Observations([journey("j", [obs("journey_started", {"base_url": "https://shop.example/"})])])
    assert o.site_relative("j", "https://shop.example/x") == "~/x"
    assert o.site_relative("j", "https://shop.example") == "~"
    assert o.site_relative("j", "https://shop.example?q=1") == "~?q=1"
    assert o.site_relative("j", "https://shop.example.org/x") == "https://shop.example.org/x"
    assert o.site_relative("j", "https://shop.example:8443/x") == "https://shop.example:8443/x"
    assert o.site_relative("k", "https://shop.example/x") == "https://shop.example/x"


def test_an_unanswered_form_has_one_fingerprint_whichever_sweep_resolved_it():
    """B3: in the run that submitted the form (its journey start known) and in a `runner.py sweep` of its own."""
    breach = {"channel": "web_form", "target": "https://shop.example/contact", "changes": ["breached", "ack_missed"],
              "acked_at": None, "answer_deadline": "2026-01-03T00:00:00+00:00", "ack_deadline": None,
              "created_at": "2026-01-01T00:00:00+00:00", "state": "breached"}
    in_run = run_checks(Observations([journey("j", [obs("journey_started", {"base_url": "https://shop.example"}),
                                                    obs("expectation", breach)])]))
    alone = run_checks(Observations([journey("j", [obs("expectation", breach)])]))
    assert sorted(f.kind for f in in_run) == ["no_acknowledgement", "unanswered_form"]
    assert sorted(f.fingerprint for f in in_run) == sorted(f.fingerprint for f in alone)
    assert {f.subject for f in alone} == {"web_form:~/contact"}
