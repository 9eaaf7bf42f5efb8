"""Build the shop's Flask app for one world: its profile's templates, the routes, error pages, a delay."""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from demo.shop import chat, contact, newsletter, orders, pages, payments
from demo.shop.world import ShopWorld

TEMPLATES = Path(__file__).parent / "templates"


def create_app(world: ShopWorld, *, delay_ms: int = 0) -> Flask:
    """The shop as a WSGI app. Routes find the world in `flask.g.world`."""
    app = Flask(__name__, static_folder=None)  # CSS and JS are inline: nothing to fetch
    app.secret_key = secrets.token_hex(16)
    # The profile's own templates first, then those both profiles share (they extend the profile's base).
    own = [world.profile.name] + ([world.profile.templates_from] if world.profile.templates_from else [])
    app.jinja_loader = ChoiceLoader([*(FileSystemLoader(TEMPLATES / name) for name in own),
                                     FileSystemLoader(TEMPLATES / "common")])
    app.extensions["shop_world"] = world
    for module in (pages, newsletter, contact, payments, orders, chat):
        app.register_blueprint(module.bp)

    @app.before_request
    def bind_world() -> None:
        g.world = world
        if delay_ms > 0:
            time.sleep(delay_ms / 1000)  # a slow shop, on purpose (benchmarks)

    @app.context_processor
    def layout_values() -> dict[str, Any]:
        return {
            "profile": world.profile,
            "social_url": world.profile.dead_social_url if world.has("dead_host_link") else "/social",
        }

    @app.errorhandler(NotFound)
    def not_found(error: NotFound) -> tuple[str, int]:
        heading = "Page not found" if error.description == NotFound.description else error.description
        return render_template("error.html", heading=heading,
                               message="Sorry, we could not find what you were looking for."), 404

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        return render_template("error.html", heading="Something went wrong",
                               message="Our server had a problem. Please try again later."), 500

    @app.errorhandler(HTTPException)
    def other_error(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", heading=error.name, message=error.description or ""), \
            error.code or 500

    return app
