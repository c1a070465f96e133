"""A corpus of faulty ``url_for`` calls in three hand-built apps of realistic shape.

``shop`` (catalog, cart, checkout, orders, an account area, a ``MethodView`` API), ``cms`` (pages on
``path``, posts on a custom ``slug`` converter, a nested ``editor.revisions`` blueprint) and
``backoffice`` (admin with nested ``reports`` using ``any(...)``, a decorator without
``functools.wraps``, a blueprint that is defined but never registered).

Every call says which endpoint and URL were meant, so accuracy is measured, not eyeballed. The
mistakes are the ones Flask developers make (found in issue trackers and Q&A threads): forgotten
or wrong blueprint prefixes, the blueprint's variable for its name, view or class names, typos,
paths instead of names, missing, renamed or ``None`` values, a GET link to a POST-only view.
"""

from __future__ import annotations

import typing as t
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import Blueprint, Flask
from flask.views import MethodView
from werkzeug.routing import BaseConverter

from flask_route_explorer._compat import rule_converters
from flask_route_explorer.diagnosis import CallSite


@dataclass(frozen=True)
class Case:
    """One faulty call and what its author meant (``meant=None``: no plausible target)."""

    app: str
    kind: str
    endpoint: str
    #: name -> (expression as written, runtime value)
    args: dict[str, tuple[str, t.Any]] = field(default_factory=dict)
    method: str | None = None
    blueprint: str | None = None
    external: bool | None = None
    scheme: str | None = None
    meant: str | None = None
    meant_url: str | None = None
    #: Variables visible at the call, for filling missing values (``{"order": <obj with .id>}``).
    names: dict[str, t.Any] = field(default_factory=dict)
    #: False where the right answer is no fix: a GET call (a link, a redirect) to a POST-only view
    #: cannot be fixed by changing ``_method`` (issue 10), so the meant URL is not one to build.
    fixable: bool = True

    @property
    def values(self) -> dict[str, t.Any]:
        return {name: value for name, (_, value) in self.args.items()}

    def call_site(self) -> CallSite:
        parts = [repr(self.endpoint), *(f"{k}={expr}" for k, (expr, _) in self.args.items())]
        if self.method:
            parts.append(f"_method={self.method!r}")
        if self.external is not None:
            parts.append(f"_external={self.external}")
        if self.scheme:
            parts.append(f"_scheme={self.scheme!r}")
        source = f"    return redirect(url_for({', '.join(parts)}))"
        return CallSite(file="views.py", line=1, source=source, template=False, names=self.names)


class SlugConverter(BaseConverter):
    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def _view(name: str) -> t.Callable[..., str]:
    def view(**kwargs: t.Any) -> str:
        return name

    view.__name__ = name
    return view


def _routes(bp: Blueprint | Flask, routes: t.Iterable[tuple[str, str] | tuple[str, str, list[str]]]) -> None:
    for spec in routes:
        rule, name, *rest = spec
        bp.add_url_rule(rule, view_func=_view(name), methods=rest[0] if rest else None)


# --- shop ---------------------------------------------------------------------------------

catalog_bp = Blueprint("catalog", __name__, url_prefix="/catalog")
cart_bp = Blueprint("cart", __name__, url_prefix="/cart")
checkout_bp = Blueprint("checkout", __name__, url_prefix="/checkout")
orders_bp = Blueprint("orders", __name__, url_prefix="/orders")
account_bp = Blueprint("account", __name__, url_prefix="/account")
shop_api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

_routes(
    catalog_bp,
    [
        ("/", "product_list"),
        ("/category/<slug:category_slug>", "category_detail"),
        ("/product/<int:product_id>", "product_detail"),
        ("/product/<int:product_id>/reviews", "product_reviews"),
        ("/product/<int:product_id>/reviews/new", "write_review", ["GET", "POST"]),
        ("/search", "search"),
        ("/sort/<any(price,rating,newest):order_by>", "sorted_products"),
    ],
)
_routes(
    cart_bp,
    [
        ("/", "view_cart"),
        ("/add/<int:product_id>", "add_to_cart", ["POST"]),
        ("/remove/<int:item_id>", "remove_item", ["POST"]),
        ("/coupon", "apply_coupon", ["POST"]),
    ],
)
_routes(
    checkout_bp,
    [
        ("/shipping", "shipping_address", ["GET", "POST"]),
        ("/payment", "payment_method", ["GET", "POST"]),
        ("/confirm/<uuid:order_uuid>", "confirm_order"),
        ("/thank-you/<uuid:order_uuid>", "thank_you"),
    ],
)
_routes(
    orders_bp,
    [
        ("/", "order_history"),
        ("/<int:order_id>", "order_detail"),
        ("/<int:order_id>/invoice.pdf", "order_invoice"),
        ("/<int:order_id>/cancel", "cancel_order", ["POST"]),
        ("/<int:order_id>/return/<int:line_id>", "return_item", ["GET", "POST"]),
    ],
)
_routes(
    account_bp,
    [
        ("/", "dashboard"),
        ("/profile", "edit_profile", ["GET", "POST"]),
        ("/addresses", "address_book"),
        ("/addresses/<int:address_id>/delete", "delete_address", ["POST"]),
        ("/wishlist", "wishlist"),
    ],
)


class ProductAPI(MethodView):
    def get(self, product_id: int | None = None) -> str:
        return "product"

    def post(self) -> str:
        return "created"


class OrderAPI(MethodView):
    def get(self, order_id: int) -> str:
        return "order"


_product_api = ProductAPI.as_view("products")
shop_api_bp.add_url_rule("/products", view_func=_product_api, methods=["GET", "POST"], defaults={"product_id": None})
shop_api_bp.add_url_rule("/products/<int:product_id>", view_func=_product_api, methods=["GET"])
shop_api_bp.add_url_rule("/orders/<int:order_id>", view_func=OrderAPI.as_view("order"))


def make_shop() -> Flask:
    app = Flask("shop")
    app.url_map.converters["slug"] = SlugConverter
    _routes(app, [("/", "home"), ("/about", "about"), ("/contact", "contact", ["GET", "POST"])])
    app.add_url_rule("/help/<path:topic>", endpoint="help_page", view_func=_view("show_help_topic"))
    for bp in (catalog_bp, cart_bp, checkout_bp, orders_bp, account_bp, shop_api_bp):
        app.register_blueprint(bp)
    return app


# --- cms ----------------------------------------------------------------------------------

pages_bp = Blueprint("pages", __name__)
blog_bp = Blueprint("blog", __name__, url_prefix="/blog")
media_bp = Blueprint("media", __name__, url_prefix="/media")
editor_bp = Blueprint("editor", __name__, url_prefix="/editor")
revisions_bp = Blueprint("revisions", __name__, url_prefix="/revisions")

_routes(
    blog_bp,
    [
        ("/", "post_index"),
        ("/page/<int:page>", "post_index_page"),
        ("/<int:year>/<int(fixed_digits=2):month>/<slug:post_slug>", "post_detail"),
        ("/tag/<slug:tag>", "posts_by_tag"),
        ("/author/<username>", "author_posts"),
        ("/feed.<any(rss,atom):fmt>", "feed"),
        ("/<int:post_id>/comments", "post_comments", ["GET", "POST"]),
    ],
)
_routes(
    media_bp,
    [
        ("/", "library"),
        ("/upload", "upload", ["POST"]),
        ("/<uuid:asset_id>", "asset_detail"),
        ("/<uuid:asset_id>/thumb/<int(min=16,max=1024):size>", "thumbnail"),
    ],
)
_routes(
    editor_bp,
    [
        ("/", "editor_home"),
        ("/pages/<int:page_id>", "edit_page", ["GET", "POST"]),
        ("/posts/<int:post_id>", "edit_post", ["GET", "POST"]),
        ("/posts/<int:post_id>/publish", "publish_post", ["POST"]),
    ],
)
_routes(
    revisions_bp,
    [
        ("/<int:page_id>", "revision_list"),
        ("/<int:page_id>/<int:revision>", "revision_detail"),
        ("/<int:page_id>/<int:revision>/diff", "revision_diff"),
        ("/<int:page_id>/<int:revision>/restore", "restore_revision", ["POST"]),
    ],
)
editor_bp.register_blueprint(revisions_bp)
pages_bp.add_url_rule("/", endpoint="home", view_func=_view("index"))
pages_bp.add_url_rule("/<path:page_path>", endpoint="page", view_func=_view("render_page"))


def make_cms() -> Flask:
    app = Flask("cms")
    app.url_map.converters["slug"] = SlugConverter
    app.add_url_rule("/login", endpoint="login", view_func=_view("login_view"), methods=["GET", "POST"])
    app.add_url_rule("/logout", endpoint="logout", view_func=_view("logout_view"), methods=["POST"])
    app.add_url_rule("/sitemap.xml", endpoint="sitemap", view_func=_view("sitemap"))
    for bp in (blog_bp, media_bp, editor_bp):
        app.register_blueprint(bp)
    app.register_blueprint(pages_bp)  # last: its catch-all path must not shadow the others
    return app


# --- backoffice ---------------------------------------------------------------------------

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
reports_bp = Blueprint("reports", __name__, url_prefix="/reports")
staff_bp = Blueprint("staff", __name__, url_prefix="/staff")
settings_bp = Blueprint("settings", __name__, url_prefix="/settings")
#: Defined, given routes, never registered: the mistake ``blueprint_not_registered`` is about.
billing_bp = Blueprint("billing", __name__, url_prefix="/billing")

_routes(admin_bp, [("/", "index"), ("/search", "global_search")])
_routes(
    reports_bp,
    [
        ("/", "report_index"),
        ("/revenue/<any(daily,weekly,monthly):period>", "revenue"),
        ("/signups/<int:year>", "signups"),
        ("/export/<any(csv,xlsx):export_format>", "export", ["POST"]),
    ],
)
_routes(
    staff_bp,
    [
        ("/", "staff_list"),
        ("/<int:staff_id>", "staff_detail"),
        ("/<int:staff_id>/roles", "staff_roles", ["GET", "POST"]),
        ("/<int:staff_id>/deactivate", "deactivate", ["POST"]),
        ("/invite", "invite", ["GET", "POST"]),
    ],
)
_routes(
    settings_bp,
    [("/", "general"), ("/mail", "mail_settings", ["GET", "POST"]), ("/tokens/<uuid:token_id>", "token_detail")],
)
_routes(billing_bp, [("/", "plans"), ("/invoice/<int:invoice_id>", "invoice")])
admin_bp.register_blueprint(reports_bp)
admin_bp.register_blueprint(staff_bp)
admin_bp.register_blueprint(settings_bp)


def admin_only(view: t.Callable[..., str]) -> t.Callable[..., str]:
    """A decorator written without functools.wraps: the endpoint becomes 'decorated'."""

    def decorated(*args: t.Any, **kwargs: t.Any) -> str:
        return view(*args, **kwargs)

    return decorated


def audit_log(entry_id: int) -> str:
    return "audit"


def make_backoffice() -> Flask:
    app = Flask("backoffice")
    app.add_url_rule("/audit/<int:entry_id>", view_func=admin_only(audit_log))
    app.add_url_rule("/healthz", endpoint="health", view_func=_view("health_check"))
    app.register_blueprint(admin_bp)
    return app


APPS: dict[str, t.Callable[[], Flask]] = {"shop": make_shop, "cms": make_cms, "backoffice": make_backoffice}


# --- The faulty calls ---------------------------------------------------------------------

_ORDER_UUID = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
_ASSET_UUID = uuid.UUID("7c9e6679-7425-40de-944b-e07fc1f90ae7")
_TOKEN_UUID = uuid.UUID("16fd2706-8baf-433b-82eb-8c7fada847da")

#: Realistic values for every variable name used above: (expression at the call, value).
SAMPLES: dict[str, tuple[str, t.Any]] = {
    "category_slug": ("category.slug", "garden-tools"),
    "product_id": ("product.id", 42),
    "order_by": ("'rating'", "rating"),
    "item_id": ("item.id", 7),
    "order_uuid": ("order.uuid", _ORDER_UUID),
    "order_id": ("order.id", 1001),
    "line_id": ("line.id", 3),
    "address_id": ("address.id", 12),
    "topic": ("'shipping/returns'", "shipping/returns"),
    "page": ("page", 2),
    "year": ("post.year", 2024),
    "month": ("post.month", 5),
    "post_slug": ("post.slug", "hello-world"),
    "tag": ("tag.slug", "flask"),
    "username": ("author.username", "ada"),
    "fmt": ("'rss'", "rss"),
    "export_format": ("'csv'", "csv"),
    "post_id": ("post.id", 88),
    "asset_id": ("asset.id", _ASSET_UUID),
    "size": ("128", 128),
    "page_id": ("page_obj.id", 5),
    "revision": ("revision.number", 3),
    "page_path": ("'docs/install'", "docs/install"),
    "period": ("'weekly'", "weekly"),
    "staff_id": ("member.id", 17),
    "token_id": ("token.id", _TOKEN_UUID),
    "entry_id": ("entry.id", 99),
    "invoice_id": ("invoice.id", 5),
}

#: The variable names of each blueprint as written in its module.
BLUEPRINT_VARIABLES = {
    "catalog": "catalog_bp",
    "cart": "cart_bp",
    "checkout": "checkout_bp",
    "orders": "orders_bp",
    "account": "account_bp",
    "blog": "blog_bp",
    "media": "media_bp",
    "editor": "editor_bp",
    "admin": "admin_bp",
    "editor.revisions": "revisions_bp",
    "admin.reports": "reports_bp",
    "admin.staff": "staff_bp",
    "admin.settings": "settings_bp",
}


def _names_for(args: dict[str, tuple[str, t.Any]]) -> dict[str, t.Any]:
    """The call site's variables: ``order`` with ``.id`` for ``order.id``..."""
    names: dict[str, t.Any] = {}
    for expr, value in args.values():
        base, dot, attr = expr.partition(".")
        if dot:
            names.setdefault(base, SimpleNamespace())
            setattr(names[base], attr, value)
        elif base.isidentifier():
            names[base] = value
    return names


def _typo(name: str, variant: int) -> str:
    """A realistic slip of the keyboard: a dropped, doubled or swapped letter."""
    short = name.rpartition(".")[2]
    prefix = name[: len(name) - len(short)]
    middle = max(1, len(short) // 2)
    while middle < len(short) - 1 and (short[middle] == "_" or short[middle - 1] == "_"):
        middle += 1  # a slip on a letter, not on the separator
    if variant % 3 == 0:
        short = short[:middle] + short[middle + 1 :]
    elif variant % 3 == 1:
        short = short[:middle] + short[middle] + short[middle:]
    else:
        short = short[: middle - 1] + short[middle] + short[middle - 1] + short[middle + 1 :]
    return prefix + short


NO_TARGET = ("qqqq", "frobnicate", "xyzzy", "lorem.ipsum", "asdf_view", "blorp.handler", "zzz.top", "kwijibo")


def build_corpus() -> tuple[dict[str, Flask], list[Case]]:
    """The apps and every faulty call, with the meant endpoint and URL filled in by building it."""
    apps = {name: factory() for name, factory in APPS.items()}
    cases: list[Case] = []
    for app_name, app in apps.items():
        cases += _cases_for(app_name, app)
    cases += [
        Case("backoffice", "blueprint_not_registered", "billing.invoice", {"invoice_id": SAMPLES["invoice_id"]}),
        Case("backoffice", "blueprint_not_registered", "billing.plans"),
        Case("backoffice", "view_name_not_endpoint", "audit_log", {"entry_id": SAMPLES["entry_id"]}, meant="decorated"),
        Case("shop", "view_name_not_endpoint", "ProductAPI", meant="api.products"),
        Case(
            "shop",
            "view_name_not_endpoint",
            "api.ProductAPI",
            {"product_id": SAMPLES["product_id"]},
            meant="api.products",
        ),
        Case("shop", "view_name_not_endpoint", "OrderAPI", {"order_id": SAMPLES["order_id"]}, meant="api.order"),
        Case("shop", "view_name_not_endpoint", "show_help_topic", {"topic": SAMPLES["topic"]}, meant="help_page"),
        Case(
            "cms",
            "view_name_not_endpoint",
            "pages.render_page",
            {"page_path": SAMPLES["page_path"]},
            meant="pages.page",
        ),
        Case("cms", "view_name_not_endpoint", "pages.index", meant="pages.home"),
        Case("cms", "view_name_not_endpoint", "login_view", meant="login"),
        Case("backoffice", "view_name_not_endpoint", "health_check", meant="health"),
    ]
    for app_name in apps:
        cases += [Case(app_name, "no_target", name) for name in NO_TARGET]
    return apps, [_with_meant_url(apps[c.app], c) for c in cases]


def _with_meant_url(app: Flask, case: Case) -> Case:
    """Hand-written cases pass correct values: the meant URL is what they build on the meant endpoint."""
    if case.meant is None or case.meant_url is not None:
        return case
    return Case(**{**case.__dict__, "meant_url": _url(app, case.meant, case.values)})


def _url(app: Flask, endpoint: str, values: dict[str, t.Any], scheme: str | None = None) -> str:
    with app.test_request_context():
        return app.url_for(endpoint, _scheme=scheme, _external=True if scheme else None, **values)


def _cases_for(app_name: str, app: Flask) -> list[Case]:
    cases: list[Case] = []
    variant = 0
    for rule in app.url_map.iter_rules():
        endpoint = str(rule.endpoint)
        if endpoint == "static" or any(r.defaults for r in app.url_map.iter_rules(endpoint)):
            continue  # a rule with defaults builds without the value: not a mistake
        variant += 1
        args = {name: SAMPLES[name] for name in sorted(rule.arguments)}
        names = _names_for(args)
        short = endpoint.rpartition(".")[2]
        prefix = endpoint.rpartition(".")[0]
        post_only = rule.methods is not None and "GET" not in rule.methods
        method = "POST" if post_only else None

        correct = {k: v for k, (_, v) in args.items()}

        def add(kind: str, written: str, call_args: dict[str, tuple[str, t.Any]] | None = None, **extra: t.Any) -> None:
            extra.setdefault("method", method)
            meant_url = _url(app, endpoint, correct, extra.get("scheme"))
            cases.append(
                Case(
                    app_name,
                    kind,
                    written,
                    args if call_args is None else call_args,
                    meant=endpoint,
                    meant_url=meant_url,
                    names=names,
                    **extra,
                )
            )

        if prefix:
            add("missing_blueprint_prefix", short)
            if prefix in BLUEPRINT_VARIABLES and variant % 2 == 0:
                add("wrong_blueprint_prefix", f"{BLUEPRINT_VARIABLES[prefix]}.{short}")
            elif prefix.endswith("s"):
                add("wrong_blueprint_prefix", f"{prefix[:-1]}.{short}")
            if "." in prefix:
                add("missing_blueprint_prefix", f"{prefix.rpartition('.')[2]}.{short}")
            other = next((bp for bp in app.blueprints if bp != prefix and not bp.startswith(prefix)), None)
            if other is not None and variant % 3 == 0:
                add("relative_endpoint", "." + short, blueprint=other)
        add("unknown_endpoint", _typo(endpoint, variant))
        if prefix and variant % 2 == 1:  # two slips at once: a typo and no prefix
            add("unknown_endpoint", _typo(short, variant + 1))
        if prefix and "_" in short and variant % 4 == 0:  # camelCase from a JavaScript habit
            head, *rest = short.split("_")
            add("missing_blueprint_prefix", head + "".join(word.title() for word in rest))
        if rule.arguments:
            first = sorted(rule.arguments)[0]
            missing = {k: v for k, v in args.items() if k != first}
            add("missing_parameters", endpoint, missing)
            if variant % 2 == 0:
                add("none_parameter", endpoint, {**missing, first: (SAMPLES[first][0], None)})
            if first.endswith("_id"):
                add("wrong_parameter_name", endpoint, {**missing, "id": SAMPLES[first]})
            converter = rule_converters(rule).get(first)
            # UUIDConverter.to_url accepts any value: only int and any() reject one when building.
            if type(converter).__name__ in ("IntegerConverter", "AnyConverter") and variant % 2 == 1:
                add("invalid_value", endpoint, {**args, first: ("'abc'", "abc")})
        if post_only:
            add("method_not_allowed", endpoint, method="GET", fixable=False)
        if not rule.arguments or variant % 2 == 0:
            add("url_not_endpoint", _url(app, endpoint, correct), {})
        if variant % 5 == 0 and not post_only:
            add("scheme_without_external", endpoint, external=False, scheme="https")
    return cases
