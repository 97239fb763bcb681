"""Request guards: cross-site requests refused, a size limit on bodies, a 400 for malformed callback
bodies, and a 404 for addresses that name no page.

Any client can send anything to any route; these checks run on the server before Dash sees it.

Size: every request body is limited to MAX_BODY_BYTES (413 beyond), except the one that carries a
browser upload: its base64 travels in a callback POST to the submit page's check, which may carry
up to UPLOAD_BODY_BYTES. That allowance is given narrowly: before the body is read, its declared
Content-Length must be within it, its type JSON and the session signed in; once parsed, it must name
(`output`) a callback whose input is the upload's store (UPLOAD_STORE). Anything else over
MAX_BODY_BYTES is 413. Flask's MAX_CONTENT_LENGTH is only the outer bound.

Cross-site request forgery (Dash has no token of its own): a request that may change something
(any method but GET, HEAD, OPTIONS, TRACE) is refused with 403 when

  - its `Origin` header, or lacking one its `Referer`, names another site than the one serving it
    (scheme, host and port; `Origin: null` is another site), or
  - it names neither and carries credentials: the session cookie, or the single sign-on header
    when the app trusts one. A request without credentials runs as the public, so there is nothing
    to forge; browsers send `Origin` on every POST, so a browser's request always names its site;
  - or it is a Dash callback whose body is not `application/json` (a form or text/plain POST is
    what another site can send without asking the browser first).

Together with SameSite=Lax session cookies (dashboard.auth) and the token in each form.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

import dash
import flask
from dash.exceptions import CallbackException, DependencyException
from werkzeug.exceptions import BadRequest, Forbidden, RequestEntityTooLarge

from etl.uploads import MAX_UPLOAD_BYTES
from published.reader import Warehouse, WarehouseError

from .auth import current_account

__all__ = ["install", "callback_body_problem", "forgery_problem", "page_exists", "upload_outputs", "MAX_BODY_BYTES",
           "UPLOAD_BODY_BYTES", "UPLOAD_STORE", "MAX_DEPTH"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # a callback body is a few kilobytes
UPLOAD_STORE = "submit-payload"  # the store whose data carries an upload to the server (dashboard.pages.submit)
# the base64 of the largest upload, beside the rest of its callback request (so that a file a little
# over the limit still reaches the check, which says so in words)
UPLOAD_BODY_BYTES = 4 * -(-MAX_UPLOAD_BYTES // 3) + 64_000
MAX_DEPTH = 64  # nesting of a callback body; Dash's own are under ten deep
CALLBACK_PATH = "/_dash-update-component"
PAGES_LOCATION = "_pages_location"  # Dash's own router reads the address from this component
INDEX_ENDPOINTS = {"/", "/<path:path>"}  # Dash's catch-all routes that serve the page shell
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}  # change nothing, so nothing to forge


def forgery_problem(method: str, own_origin: str, origin: str | None, referer: str | None, *,
                    credentialed: bool, callback: bool = False, mimetype: str = "") -> str | None:
    """Why a request may be forged by another site (see the module's docstring), or None.

    `own_origin` is `scheme://host[:port]` of the site serving the request."""
    if method.upper() in SAFE_METHODS:
        return None
    if callback and mimetype != "application/json":
        return "a callback request must be sent as application/json"
    source = origin or (_origin_of(referer) if referer else None)
    if source is None:
        return "the request names no origin (Origin or Referer) and carries credentials" if credentialed else None
    if source.lower() != own_origin.lower():
        return f"the request comes from another site ({source[:100]})"
    return None


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "null"


def callback_body_problem(raw: bytes, callbacks: dict | None = None) -> str | None:
    """What is wrong with a callback request body, or None when it has the shape Dash expects
    (and, when the app's `callbacks` are given, fits the one it names)."""
    body, problem = _parsed(raw)
    return problem or _shape_problem(body, callbacks)


def _parsed(raw: bytes) -> tuple[object, str | None]:
    try:
        return json.loads(raw), None
    except (ValueError, RecursionError):
        return None, "the body is not JSON"


def _shape_problem(body, callbacks: dict | None) -> str | None:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if not isinstance(body.get("output"), str) or not body["output"]:
        return "the body has no 'output'"
    if not isinstance(body.get("inputs"), list):
        return "the body has no list of 'inputs'"
    if not isinstance(body.get("outputs"), dict | list):
        return "the body has no 'outputs'"
    if not isinstance(body.get("state", []), list):
        return "'state' must be a list"
    if callbacks:
        spec = callbacks.get(body["output"])
        if spec is None or spec.get("callback") is None:
            return "no callback on the server has this 'output'"
        wanted = len(_outputs(body["output"]))
        # several outputs come as a list, one per output; a pattern-matching (ALL) output as a list too
        given = body["outputs"] if wanted > 1 else [body["outputs"]]
        if not isinstance(given, list) or len(given) != wanted or not all(_described(o) for o in given):
            return f"'outputs' must describe the {wanted} output(s) of this callback"
        for key in ("inputs", "state"):
            given, wanted = body.get(key, []), spec.get(key, [])
            if len(given) != len(wanted) or not all(isinstance(x, dict | list) for x in given):
                return f"'{key}' must hold {len(wanted)} item(s), one per declared {key[:5]}"
            for item in given:
                if isinstance(item, dict) and item.get("id") == PAGES_LOCATION and not isinstance(
                        item.get("value"), str if item.get("property") == "pathname" else str | None):
                    return f"the address's '{item.get('property')}' must be text"
    if _depth(body) > MAX_DEPTH:
        return f"the body is nested more than {MAX_DEPTH} levels deep"
    return None


def upload_outputs(callbacks: dict) -> set[str]:
    """The `output`s of the server callbacks that receive an upload: those with UPLOAD_STORE's data as an input."""
    return {key for key, spec in callbacks.items() if spec.get("callback") is not None and any(
        i.get("id") == UPLOAD_STORE and i.get("property") == "data" for i in spec.get("inputs", []))}


def _is_upload(body, callbacks: dict) -> bool:
    output = body.get("output") if isinstance(body, dict) else None
    return isinstance(output, str) and output in upload_outputs(callbacks)


def _body_limit(content_length: int | None, mimetype: str) -> int:
    """How much of this callback POST may be read, from what is known before reading it: its declared
    length and type, and whether anyone is signed in (the public never uploads)."""
    if content_length is None or not MAX_BODY_BYTES < content_length <= UPLOAD_BODY_BYTES:
        return MAX_BODY_BYTES
    return UPLOAD_BODY_BYTES if mimetype == "application/json" and current_account() is not None else MAX_BODY_BYTES


def _outputs(output: str) -> list[str]:
    """Dash's name for a callback's outputs: 'id.prop', or '..id.prop...id.prop..' for several."""
    return output[2:-2].split("...") if output.startswith("..") else [output]


def _described(output) -> bool:
    items = output if isinstance(output, list) else [output]
    return all(isinstance(o, dict) and "id" in o and "property" in o for o in items)


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


_VARIABLE = re.compile(r"<([^<>/]+)>")  # a path variable in a page's path_template, as Dash writes them


def _template_regex(template: str) -> re.Pattern:
    """A pattern that matches the addresses of a page's `path_template` (or plain path): each `<name>` is
    a named group of one path segment (so `/review/<council>/<month>` takes exactly two), a trailing
    slash allowed. A name that is not an identifier, or used twice, is a fault in the page (ValueError)."""
    inner, pattern, at = template.strip("/"), [], 0
    for found in _VARIABLE.finditer(inner):
        name = found[1]
        if not name.isidentifier() or f"(?P<{name}>" in "".join(pattern):
            raise ValueError(f"{template}: path variable <{name}> must be an identifier, named once")
        pattern += [re.escape(inner[at:found.start()]), f"(?P<{name}>[^/]+)"]
        at = found.end()
    pattern.append(re.escape(inner[at:]))
    return re.compile("/" + "".join(pattern) + "/?" if inner else "/")


def page_exists(path: str, warehouse: Warehouse) -> bool:
    """Does `path` name a page (and, for a page of one thing, a thing that exists)? A page's `exists`
    is called with the warehouse and each path variable by its name (unquoted)."""
    for page in dash.page_registry.values():
        if page.get("path") == "/404":
            continue
        found = _template_regex(page.get("path_template") or page["path"]).fullmatch(path)
        if not found:
            continue
        lookup: Callable | None = page.get("exists")
        if lookup is None or not found.groupdict():
            return True
        try:
            return lookup(warehouse, **{name: unquote(value) for name, value in found.groupdict().items()}) is not None
        except WarehouseError:
            return True  # the page itself explains that there is no data yet
    return False


def install(app: dash.Dash, warehouse: Warehouse, trusted_user_header: str | None = None) -> None:
    """Add the guards to the app's Flask server (before any other request hook, so they run first).

    `trusted_user_header`: the single sign-on header the app believes, if any (a credential)."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = UPLOAD_BODY_BYTES  # the outer bound; each request gets its own below
    prefix = app.config.requests_pathname_prefix.rstrip("/")

    @server.before_request
    def _refuse_cross_site():
        request = flask.request
        credentialed = server.config.get("SESSION_COOKIE_NAME", "session") in request.cookies or bool(
            trusted_user_header and trusted_user_header in request.headers)
        problem = forgery_problem(request.method, f"{request.scheme}://{request.host}", request.headers.get("Origin"),
                                  request.headers.get("Referer"), credentialed=credentialed,
                                  callback=request.path == prefix + CALLBACK_PATH, mimetype=request.mimetype)
        if problem:
            log.warning("refused %s %s: %s", request.method, request.path, problem)
            raise Forbidden(f"Cross-site request refused: {problem}.")

    @server.before_request
    def _limit_and_check_body():
        request = flask.request
        callback = request.method == "POST" and request.path == prefix + CALLBACK_PATH
        limit = _body_limit(request.content_length, request.mimetype) if callback else MAX_BODY_BYTES
        request.max_content_length = limit  # set before anything reads the body: Werkzeug answers 413 beyond it
        if not callback:
            return
        raw = request.get_data(cache=True)
        body, problem = _parsed(raw)
        if len(raw) > MAX_BODY_BYTES and not _is_upload(body, app.callback_map):
            raise RequestEntityTooLarge(f"Only an upload may send more than {MAX_BODY_BYTES:,} bytes.")
        problem = problem or _shape_problem(body, app.callback_map)
        if problem:
            raise BadRequest(f"Malformed callback request: {problem}.")

    @server.errorhandler(CallbackException)
    def _callback_mismatch(e):
        # Dash's own finding that the request does not match the callback it names
        return flask.Response(f"400 Bad Request: {e}\n", status=400, mimetype="text/plain")

    @server.errorhandler(DependencyException)
    def _unknown_script(_e):
        # Dash raises this for a component-suite path it never registered: a wrong address, not a fault
        return flask.Response("404 Not Found\n", status=404, mimetype="text/plain")

    @server.after_request
    def _unknown_page_is_404(response: flask.Response) -> flask.Response:
        if flask.request.endpoint in INDEX_ENDPOINTS and response.status_code == 200:
            path = flask.request.path[len(prefix):] or "/"
            if not page_exists(path, warehouse):
                response.status_code = 404
        return response
