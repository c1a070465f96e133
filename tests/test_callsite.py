"""Finding and rewriting the failing url_for call in Python and template source."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string, url_for
from werkzeug.routing import BuildError

from flask_route_explorer.diagnosis import callsite
from flask_route_explorer.diagnosis.callsite import find_call, find_calls, rewrite_call, template_wrapper


def test_parse_keywords_strings_and_nesting() -> None:
    call = find_call("x = url_for('a.b', id=f(1, 2), q='x,)', **extra)")
    assert call is not None
    assert call.func == "url_for" and call.endpoint_literal == "a.b"
    assert call.keywords == (("id", "f(1, 2)"), ("q", "'x,)'"))
    assert call.star_kwargs == ("extra",)
    assert call.text == "url_for('a.b', id=f(1, 2), q='x,)', **extra)"


def test_dotted_callee_and_dynamic_endpoint() -> None:
    call = find_call("flask.url_for(request.endpoint, page=2)")
    assert call is not None and call.func == "flask.url_for"
    assert call.endpoint_expr == "request.endpoint" and call.endpoint_literal is None


def test_picks_the_call_by_endpoint() -> None:
    line = "<a href=\"{{ url_for('index') }}\">{{ url_for('user_profile') }}</a>"
    assert len(find_calls(line)) == 2
    call = find_call(line, ["user_profile"])
    assert call is not None and call.endpoint_literal == "user_profile"


def test_template_wrapper_and_rewrite() -> None:
    line = '<a href="{{ url_for("user_profile") }}">me</a>'
    call = find_call(line)
    assert call is not None and call.quote() == '"'
    start, end = template_wrapper(line, call)
    assert line[start:end] == '{{ url_for("user_profile") }}'
    fixed, fix = rewrite_call(line, call, 'url_for("users.user_profile", user_id=user.id)', template=True)
    assert fix == '{{ url_for("users.user_profile", user_id=user.id) }}'
    assert fixed == '<a href="{{ url_for("users.user_profile", user_id=user.id) }}">me</a>'
    set_line = "{% set link = url_for('x') ~ '#top' %}"
    set_call = find_call(set_line)
    assert set_call is not None
    assert (
        rewrite_call(set_line, set_call, "url_for('y')", template=True)[1] == "{% set link = url_for('y') ~ '#top' %}"
    )


def test_python_call_site_from_traceback_multiline() -> None:
    app = Flask("callsite_app")
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for(
            "nowhere",
            page=1,
        )
    site = callsite.call_site(callsite.url_for_frame(info.value), info.value.__traceback__)
    assert site is not None and site.file == __file__ and not site.template
    assert site.source is not None and "url_for(" in site.source and "page=1," in site.source
    assert any("url_for(" in text for _, text in site.context)
    assert "app" in site.names


def test_template_call_site_and_names() -> None:
    app = Flask("callsite_templates")
    with app.test_request_context(), pytest.raises(BuildError) as info:
        render_template_string(
            "line one\n{% for item in items %}{{ url_for('nowhere', id=item) }}{% endfor %}", items=[4]
        )
    site = callsite.call_site(callsite.url_for_frame(info.value), info.value.__traceback__)
    assert site is not None and site.template and site.line == 2
    assert site.names["items"] == [4] and site.names["item"] == 4


def test_no_url_for_frame() -> None:
    assert callsite.url_for_frame(ValueError("x")) is None
    assert callsite.call_site(None) is None


def test_call_at_reads_the_call_at_a_position_whatever_its_callee() -> None:
    text = 'x = link("a", b=1) + url_for("c")'
    call = callsite.call_at(text, (4, 18))
    assert call is not None and call.func == "link" and call.endpoint_literal == "a" and call.keywords == (("b", "1"),)
    assert callsite.call_at(text, (4, 17)) is None  # the span must be exactly one call


def test_private_internals_are_read_only_through_compat() -> None:
    """Names Flask, Jinja and the toolbar do not document are spelled out in ``_compat`` alone."""
    from pathlib import Path

    diagnosis_package = Path(callsite.__file__).parent
    package = diagnosis_package.parent
    private = (
        "blueprint_name",
        "__jinja_template__",
        "get_template_locals",
        "inject_url_defaults.__code__",
        "debug_toolbars_var",
        "template_context",
        "url_default_functions",
        "error_handler_spec",
        "_get_current_object",
    )
    files = sorted(diagnosis_package.glob("*.py")) + [
        package / f"{module}.py" for module in ("notes", "errorpage", "toolbar", "access")
    ]
    assert len(files) > 9
    for path in files:
        text = path.read_text()
        assert [name for name in private if name in text] == [], path.name


def test_diagnosis_without_url_fors_frame_falls_back_on_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """When Flask's frame cannot be read (``_compat``'s fallback), the BuildError's own fields still give a diagnosis."""
    from flask_route_explorer import _compat
    from flask_route_explorer.diagnosis import diagnose

    app = Flask(__name__)
    app.add_url_rule("/users/<int:user_id>", "user_profile", lambda user_id: "")
    monkeypatch.setattr(_compat, "url_for_arguments", lambda frame: None)
    monkeypatch.setattr(_compat, "template_variables", lambda frame: {})
    with app.test_request_context():
        with pytest.raises(BuildError) as info:
            url_for("user_profil", user_id=3)
        d = diagnose(info.value, app)
    assert d.kind == "unknown_endpoint" and d.fix_url == "/users/3"
