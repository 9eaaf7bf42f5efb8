"""Pages that change under the customer, in real Chromium: the page settles after an action (requests,
re-renders, debounced input), ARIA comboboxes re-rendered after another choice, ARIA radios that flip
late, a button that enables only when the form is valid, and the payment picked from a preference list."""
from __future__ import annotations

import pytest

from shopper.autofill.fill import autofill
from shopper.autofill.persona import persona_variables
from shopper.clock import SystemClock
from shopper.config import ShopperIdentity
from shopper.probes.settle import settle
from shopper.secrets import Redactor
from shopper.steps.context import JourneyState, StepContext

pytestmark = pytest.mark.browser

# A React-like single-page checkout in plain JS: the province combobox is replaced (a new element) when
# the country changes; shipping methods appear 0.6 s after the address is complete (a debounce); the
# radios flip only 0.2 s after a click; "Place order" is disabled until shipping and payment are chosen.
CHECKOUT = r"""<!doctype html><html><head><style>[role=radio]{display:inline-block;width:12px;height:12px;border:1px solid}</style></head><body><main><form id="co">
<label for="e">Email *</label><input id="e" name="contact.email" type="email">
<label for="n">Full name *</label><input id="n" name="shippingAddress.full_name">
<label for="a">Address *</label><input id="a" name="shippingAddress.address_1">
<label for="c">City *</label><input id="c" name="shippingAddress.city">
<span id="country-l">Country *</span>
<button type="button" id="country" role="combobox" aria-labelledby="country-l" aria-expanded="false"
  aria-controls="country-list">Country</button>
<div id="province-box"></div>
<label for="z">Postcode *</label><input id="z" name="shippingAddress.postcode">
<div id="ship"></div>
<div role="radiogroup" aria-label="Payment method">
  <label><span role="radio" id="cod" aria-checked="false" tabindex="0"></span>Cash on Delivery</label>
</div>
<button type="submit" id="place" disabled>Select a payment method</button>
</form>
<div role="listbox" id="country-list" hidden>
  <div role="option" aria-disabled="true">Country</div>
  <div role="option" data-value="FR">France</div><div role="option" data-value="GB">United Kingdom</div>
</div>
<script>
const $ = id => document.getElementById(id);
let shipping = false, payment = false, timer = null;
const ready = () => { const b = $('place'); b.disabled = !(shipping && payment);
  b.textContent = payment ? 'Place order' : 'Select a payment method'; };
const radio = (el, then) => el.addEventListener('click', () => setTimeout(() => {
  el.setAttribute('aria-checked', 'true'); then(); ready(); }, 200));
radio($('cod'), () => { payment = true; });
function combo(button, list, pick) {
  button.addEventListener('click', () => { list.hidden = false; button.setAttribute('aria-expanded', 'true'); });
  for (const o of list.querySelectorAll('[role=option]')) o.addEventListener('click', () => {
    if (o.getAttribute('aria-disabled') === 'true') return;
    list.hidden = true; button.textContent = o.textContent; pick(o); });
}
function addressChanged() {   // shipping methods once the address is complete, after a debounce
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (!$('z').value || !$('province')) return;
    $('ship').innerHTML = '<div role="radiogroup"><label><span role="radio" id="std" aria-checked="false" ' +
      'tabindex="0"></span>Standard delivery £3.95</label></div>';
    radio($('std'), () => { shipping = true; });
  }, 600);
}
combo($('country'), $('country-list'), o => {
  // a new element each time, as a re-render would make it
  $('province-box').innerHTML = '<span id="province-l">Province *</span><button type="button" id="province" ' +
    'role="combobox" aria-labelledby="province-l" aria-controls="province-list">Province</button>' +
    '<div role="listbox" id="province-list" hidden><div role="option" aria-disabled="true">Province</div>' +
    (o.dataset.value === 'GB' ? '<div role="option">England</div><div role="option">Wales</div>'
                              : '<div role="option">Paris</div>') + '</div>';
  combo($('province'), $('province-list'), addressChanged);
  addressChanged();
});
for (const id of ['z', 'c', 'a']) $(id).addEventListener('input', addressChanged);
$('co').addEventListener('submit', ev => { ev.preventDefault(); document.body.innerHTML =
  '<main><h1>Thank you for your order!</h1><p>Order #10001 is confirmed.</p></main>'; });
</script></main></body></html>"""

MINI_CART = r"""<!doctype html><html><body><button id="add">Add to cart</button><div id="cart"></div>
<div id="spin" class="a"></div>
<script>
setInterval(() => { const s = document.getElementById('spin'); s.className = s.className === 'a' ? 'b' : 'a'; }, 50);
document.getElementById('add').addEventListener('click', () => setTimeout(() => fetch('/cart-api')
  .catch(() => null).then(() => { document.getElementById('cart').innerHTML =
  '<div role="dialog" aria-label="Your Cart"><button>Checkout</button></div>'; }), 400));
</script></body></html>"""


@pytest.fixture
def page_ctx(browser, tmp_path):
    contexts = []

    def make(html: str, **variables) -> StepContext:
        context, _ = browser.new_context(block_hosts=[])
        contexts.append(context)
        page = context.new_page()
        # served over (routed) HTTP, as a shop is: the page's own scripts run after the shopper's
        page.route("http://shop.test/**", lambda r: r.fulfill(
            status=200, body="{}" if r.request.url.endswith("/cart-api") else html,
            content_type="application/json" if r.request.url.endswith("/cart-api") else "text/html; charset=utf-8"))
        page.goto("http://shop.test/")
        ident = ShopperIdentity()
        state = JourneyState(journey="t", variables={**persona_variables(ident, "alex+t1@mail.test"), **variables},
                             redactor=Redactor(), environ={}, clock=SystemClock(), artifact_dir=tmp_path / "a",
                             var_dir=tmp_path)
        return StepContext(state=state, page=page, index=0, timeout_ms=10000, probes=None)

    yield make
    for c in contexts:
        c.close()


def test_a_click_settles_when_the_mini_cart_is_there_despite_an_endless_animation(page_ctx):
    ctx = page_ctx(MINI_CART)
    ctx.page.click("#add")
    assert settle(ctx.page, 8000) is True
    # the debounce (0.4 s) and the request after it were waited for: the mini-cart is on the page now
    assert ctx.page.get_by_role("dialog", name="Your Cart").count() == 1


def test_autofill_handles_comboboxes_re_renders_late_radios_and_the_enabling_button(page_ctx):
    ctx = page_ctx(CHECKOUT, shopper_payment="card, cash_on_delivery")
    filled = autofill(ctx, {}, choose_radios=True, payment="card, cash_on_delivery")
    got = {a.title: (a.kind, a.value) for a in filled.plan.actions}
    assert got["Full name *"] == ("name", "Alex Shopper")          # not a street: `shippingAddress.` is a section
    assert got["Country *"] == ("country", "United Kingdom")       # role=combobox, a disabled placeholder skipped
    assert got["Province *"] == ("region", "England")              # the re-rendered element, found again
    assert "Standard delivery £3.95" in got, " / ".join(got)             # appeared after the debounce
    assert filled.plan.payment == "cash_on_delivery" and filled.plan.payment_offered == ["cash_on_delivery"]
    page = ctx.page
    assert page.locator("#std").get_attribute("aria-checked") == "true"
    assert page.locator("#cod").get_attribute("aria-checked") == "true"
    assert [b["text"] for b in filled.form.buttons] == ["Place order"]   # enabled now, read again after filling


def test_a_required_payment_the_shop_does_not_offer_is_not_chosen(page_ctx):
    ctx = page_ctx(CHECKOUT)
    filled = autofill(ctx, {}, choose_radios=True, payment=["card"])
    assert filled.plan.payment is None and filled.plan.payment_offered == ["cash_on_delivery"]
    assert ctx.page.locator("#cod").get_attribute("aria-checked") == "false"
    assert ctx.page.locator("#place").is_disabled()


def test_typing_into_a_quiet_page_settles_at_once(page_ctx):
    """A page that does nothing in answer to an input and has nothing scheduled has settled: no quiet time is
    waited out (it took 1.25 s after every `fill` of every journey: settle()'s own poll timers, which Playwright
    sets with the page's setTimeout, counted as the page's debounces). A quiet time of a minute proves it."""
    ctx = page_ctx("<!doctype html><html><body><main><label>Name <input id=n></label></main></body></html>")
    ctx.page.fill("#n", "Ann")
    assert settle(ctx.page, 5000, quiet_ms=60_000) is True
    ctx.page.goto("http://shop.test/again")   # a plain page shown: settled at once too
    assert settle(ctx.page, 5000, quiet_ms=60_000) is True


# The page answers a click 0.15 s later, through each way a script can put work off, in small pieces as
# React's scheduler does (timers too short to be debounces, message tasks, animation frames): settle() waits.
LATER = {
    "timer": "const next = () => setTimeout(step, 10)",
    "message": "const ch = new MessageChannel(); ch.port1.onmessage = () => step(); "
               "const next = () => ch.port2.postMessage(0)",
    "animation_frame": "const next = () => requestAnimationFrame(step)",
}


@pytest.mark.parametrize("how", sorted(LATER))
def test_a_page_that_answers_a_moment_later_is_waited_for(page_ctx, how):
    ctx = page_ctx(f"""<!doctype html><html><body><main><button id=b>Add</button><div id=out></div></main><script>
      const show = () => {{ document.getElementById('out').textContent = 'Added to your cart'; }};
      document.getElementById('b').addEventListener('click', () => {{
        const t0 = performance.now(); {LATER[how]};
        function step() {{ if (performance.now() - t0 < 150) next(); else show(); }}
        next();
      }});
      </script></body></html>""")
    ctx.page.click("#b")
    assert settle(ctx.page, 5000) is True
    assert ctx.page.evaluate("document.getElementById('out').textContent") == "Added to your cart"
    assert settle(ctx.page, 300, quiet_ms=60_000) is False   # it did something: the quiet time counts again
