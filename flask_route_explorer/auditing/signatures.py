"""View signatures against their rules: what Flask passes (``view(**view_args)``) and what the view takes.

Flask calls a view with the rule's variables and ``defaults`` as keyword arguments. A name the view
does not take, or a required parameter nobody passes, is a ``TypeError`` on the first request.

Views reach the map in disguises, and the check must not cry wolf through them:

- a decorator built with ``functools.wraps`` exposes the inner signature, but it is the wrapper
  that Flask calls. When the wrapper takes ``*args``/``**kwargs`` it may inject arguments (CTFd's
  ``@validate_args``) or consume them, so the inner signature only gives information;
- a bound method (flask-admin) is read as bound: ``self`` is not a parameter to supply, and
  unwrapping stops there (``__wrapped__`` on a bound method is its function's, without ``self``);
- ``functools.partial`` and callable objects are read through ``inspect.signature``;
- a ``MethodView`` is checked per handler, and every method its rules allow needs a handler.
"""

from __future__ import annotations

import inspect
import types
import typing as t

from flask.views import MethodView

from ..inventory import Route
from .context import AuditContext, methods_to_try
from .findings import AuditFinding, Code

_CO_VARARGS = inspect.CO_VARARGS
_CO_VARKEYWORDS = inspect.CO_VARKEYWORDS


class Parameters(t.NamedTuple):
    """What a callable accepts as keyword arguments."""

    keywords: frozenset[str]
    required: frozenset[str]
    #: Required parameters that cannot be passed by keyword (positional-only): never supplied.
    positional_only_required: frozenset[str]
    var_keyword: bool
    var_positional: bool

    def accepts(self, name: str) -> bool:
        return self.var_keyword or name in self.keywords


#: Parameters by code object: closures made by one factory (and a big app's generated views) share it.
_BY_CODE: dict[tuple[int, int, frozenset[str], bool], tuple[types.CodeType, Parameters]] = {}


def _function_parameters(
    code: types.CodeType, n_defaults: int, kw_defaults: frozenset[str], skip_first: bool
) -> Parameters:
    """A plain function's parameters from its code object: much cheaper than ``inspect.signature``."""
    positional = code.co_varnames[: code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    start = 1 if skip_first and positional else 0
    first_default = len(positional) - n_defaults
    posonly = {n for i, n in enumerate(positional) if start <= i < code.co_posonlyargcount}
    keywords = {n for i, n in enumerate(positional) if i >= max(start, code.co_posonlyargcount)} | set(keyword_only)
    required_positional = {n for i, n in enumerate(positional) if start <= i < first_default}
    required_keyword_only = {n for n in keyword_only if n not in kw_defaults}
    return Parameters(
        keywords=frozenset(keywords),
        required=frozenset((required_positional - posonly) | required_keyword_only),
        positional_only_required=frozenset(required_positional & posonly),
        var_keyword=bool(code.co_flags & _CO_VARKEYWORDS),
        var_positional=bool(code.co_flags & _CO_VARARGS),
    )


def parameters_of(func: t.Callable[..., t.Any], *, skip_first: bool = False) -> Parameters | None:
    """What ``func`` itself accepts (not what a ``__wrapped__`` inner function does); ``None`` if unknown."""
    if isinstance(func, types.FunctionType) and "__wrapped__" not in func.__dict__:
        code = func.__code__
        key = (id(code), len(func.__defaults__ or ()), frozenset(func.__kwdefaults__ or ()), skip_first)
        cached = _BY_CODE.get(key)
        if cached is None or cached[0] is not code:  # the code object kept in the value makes the id safe
            cached = _BY_CODE[key] = (code, _function_parameters(code, key[1], key[2], skip_first))
        return cached[1]
    try:
        signature = inspect.signature(func, follow_wrapped=False)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if skip_first and params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        params = params[1:]
    empty = inspect.Parameter.empty
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return Parameters(
        keywords=frozenset(p.name for p in params if p.kind in keyword_kinds),
        required=frozenset(p.name for p in params if p.kind in keyword_kinds and p.default is empty),
        positional_only_required=frozenset(
            p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_ONLY and p.default is empty
        ),
        var_keyword=any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params),
        var_positional=any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params),
    )


class Callee(t.NamedTuple):
    """What Flask calls for one method of a rule, and whether a decorator may hide its real needs."""

    parameters: Parameters
    #: A ``functools.wraps`` wrapper with ``*args``/``**kwargs`` around it: report at most information.
    uncertain: bool


def callee(func: t.Callable[..., t.Any], *, skip_first: bool = False) -> Callee | None:
    """The signature Flask really meets: the wrapper's own, or the inner one behind a generic wrapper."""
    outer = parameters_of(func, skip_first=skip_first)
    if outer is None:
        return None
    wrapped = getattr(func, "__wrapped__", None) if not inspect.ismethod(func) else None
    if wrapped is None or not (outer.var_keyword or outer.var_positional):
        return Callee(outer, uncertain=False)
    inner_func = inspect.unwrap(func, stop=inspect.ismethod)
    # A plain function reached from a method's wrapper still carries its ``self``.
    inner = parameters_of(inner_func, skip_first=skip_first and not inspect.ismethod(inner_func))
    return Callee(inner, uncertain=True) if inner is not None else None


def handlers(view: t.Callable[..., t.Any], route: Route) -> tuple[list[tuple[str, Callee]], list[str]]:
    """(method, callee) for each method of the rule, and the methods a MethodView has no handler for."""
    view_class = getattr(view, "view_class", None)
    if not isinstance(view_class, type):
        found = callee(view)
        return ([("*", found)] if found else []), []
    if not issubclass(view_class, MethodView):
        dispatch = getattr(view_class, "dispatch_request", None)
        found = callee(dispatch, skip_first=True) if dispatch is not None else None
        return ([("*", found)] if found else []), []
    result: list[tuple[str, Callee]] = []
    missing: list[str] = []
    for method in methods_to_try(route):
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        if handler is None:
            if method != "OPTIONS":
                missing.append(method)
            continue
        found = callee(handler, skip_first=not inspect.ismethod(handler))
        if found is not None:
            result.append((method, found))
    return result, missing


def signature_findings(context: AuditContext) -> list[AuditFinding]:
    """Every mismatch between an audited rule and the view (or handlers) Flask would call for it."""
    findings: list[AuditFinding] = []
    for route in context.audited:
        view = context.view_of(route)
        if view is None or route.build_only or route.redirect_to is not None:
            continue  # never dispatched to a view
        called, missing = handlers(view, route)
        if missing:
            findings.append(AuditFinding(code=Code.METHOD_WITHOUT_HANDLER, route=route, methods=tuple(missing)))
        seen: set[tuple[Code, tuple[str, ...]]] = set()
        for method, found in called:
            for finding in _mismatches(route, found, method):
                key = (finding.code, finding.names)
                if key not in seen:
                    seen.add(key)
                    findings.append(finding)
    return findings


def _mismatches(route: Route, found: Callee, method: str) -> list[AuditFinding]:
    params = found.parameters
    if params.var_keyword and not params.required and not params.positional_only_required:
        return []  # takes any keyword and needs none: the usual ``**kwargs`` view
    methods = () if method == "*" else (method,)
    variables = tuple(n for n in route.argument_names if not params.accepts(n))
    defaults = tuple(n for n in route.defaults if n not in route.argument_names and not params.accepts(n))
    passed = set(route.argument_names) | set(route.defaults)
    required = tuple(sorted((params.required - passed) | params.positional_only_required))
    if found.uncertain:
        names = variables + defaults
        # A decorator that injects arguments is common (required parameters): say nothing of those.
        return [AuditFinding(code=Code.SIGNATURE_UNCERTAIN, route=route, methods=methods, names=names)] if names else []
    findings = []
    if variables:
        findings.append(AuditFinding(code=Code.VARIABLE_NOT_ACCEPTED, route=route, methods=methods, names=variables))
    if defaults:
        findings.append(AuditFinding(code=Code.DEFAULT_NOT_A_PARAMETER, route=route, methods=methods, names=defaults))
    if required:
        findings.append(AuditFinding(code=Code.PARAMETER_NOT_SUPPLIED, route=route, methods=methods, names=required))
    return findings
