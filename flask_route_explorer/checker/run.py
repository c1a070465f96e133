"""One check run: scan the files, resolve relative endpoints, ask the engine about each call, report.

The checker's own job is static: find the calls (``ast`` for Python, Jinja's own parser for
templates), resolve what can be known before the code runs (literal endpoints and values, relative
endpoints through the blueprint that registers or renders them, ``**kwargs``) and map the diagnosis
engine's answer to a stable finding code. Whether a call builds, and what to suggest, is the
diagnosis engine's answer (``diagnose_call``), never ours.

The steps, in order (:func:`check_report`): list the files; scan every Python module (its calls,
and the templates its views render) and every template (its calls, and the templates it pulls in);
give the relative calls of templates their blueprints once every renderer is known; then check
every call, after the scan rather than during it (see :meth:`CheckRun.check_calls`).
"""

from __future__ import annotations

import ast
import os
import typing as t
from dataclasses import replace
from pathlib import Path

from jinja2 import Environment
from jinja2.exceptions import TemplateSyntaxError

# The diagnosis engine: the one answer to "does this call build, and what is close".
from ..diagnosis import CallSite, Diagnosis, batch, diagnose_call, join_names
from ..endpoints import resolve_endpoint
from ..inventory import get_inventory
from . import jinja_scan, python_scan
from .calls import FoundCall
from .contexts import BlueprintContexts
from .files import (
    JINJA_IGNORE,
    PYTHON_IGNORE,
    FilesToCheck,
    SourceFile,
    ignore_comments,
    line_starts,
    python_files_under,
    read_python,
    read_template,
    template_folders,
)
from .findings import (
    HOOK_CODE,
    MISSPELT_VARIABLE_CODE,
    QUERY_STRAY_CODE,
    RENAMED_CODE,
    UNKNOWN_ENDPOINT_CODE,
    UNRESOLVED_RELATIVE_CODE,
    UNUSED_CODE,
    CheckReport,
    Finding,
    Findings,
    Unparsable,
    Unverifiable,
    code_for_kind,
)
from .fix import sure_replacement
from .renames import renamed_endpoint
from .strays import query_stray
from .write import installed_package

if t.TYPE_CHECKING:
    from flask import Flask

#: Kinds whose missing variables a ``**kwargs`` argument may well provide.
_KWARGS_HIDE = frozenset({"missing_parameters", "wrong_parameter_name"})


class CheckRun:
    """One run: the app's facts (inventory, blueprints, template folders) and what the scan found."""

    def __init__(
        self,
        app: Flask,
        paths: t.Sequence[str | os.PathLike[str]] | None,
        renames: t.Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        #: Old endpoint -> new endpoint: calls to an old one are reported with the new one (RE013).
        self.renames: t.Mapping[str, str] = renames or {}
        self.inventory = get_inventory(app)
        self.jinja_env: Environment = app.jinja_env
        folders = template_folders(app)
        self.report = CheckReport()
        roots = [Path(p) for p in paths] if paths is not None else self._default_roots(folders)
        self.files = FilesToCheck([Path(os.path.abspath(p)) for p in roots], folders)
        self.contexts = BlueprintContexts(app, self.inventory)
        #: Calls found, checked once the scan is done (see :meth:`check_calls`).
        self._calls: list[tuple[SourceFile, FoundCall]] = []
        #: Relative calls in templates, with the template's name: their blueprints come last.
        self._relative_template_calls: list[tuple[SourceFile, FoundCall, str | None]] = []
        #: A template name -> the files (real paths) of this run known by it.
        self._files_named: dict[str, set[str]] = {}
        self._scanned_python: set[str] = set()
        #: What the engine answered, per call (see :meth:`_diagnose`).
        self._builds: set[tuple[t.Any, ...]] = set()
        self._failures: dict[tuple[t.Any, ...], Diagnosis] = {}
        #: Endpoints some literal call names (``--unused`` lists the others).
        self.referenced: set[str] = set()

    def _default_roots(self, folders: list[Path]) -> list[Path]:
        """The app's root and its template folders, but none of an installed package (listed as skipped).

        A third-party blueprint's templates (in site-packages) are the package's business, not the project's.
        """
        app_root = os.path.realpath(self.app.root_path)
        roots = [Path(self.app.root_path)]
        for folder in folders:
            real = os.path.realpath(folder)
            if installed_package(real) and not real.startswith(app_root + os.sep):
                self.report.installed.append(str(folder))
            else:
                roots.append(folder)
        return roots

    # ---- scanning

    def scan_python(self, path: str, collect_calls: bool = True) -> None:
        """Note a module's template renders and, with ``collect_calls``, its url_for calls.

        Without ``collect_calls`` the module is read only for the templates its views render (a
        module outside the checked paths still decides a template's blueprint); a module that does
        not parse is then no finding of this run.
        """
        real = os.path.realpath(path)
        self._scanned_python.add(real)
        text = read_python(path)
        if text is None:
            self.report.unparsable.append(Unparsable(self.display(path), "cannot be read"))
            return
        if not python_scan.might_matter(text):
            return
        try:
            module = python_scan.PythonModule(ast.parse(text, filename=path))
        except (SyntaxError, ValueError) as error:
            if collect_calls:
                self.report.unparsable.append(Unparsable(self.display(path), f"{type(error).__name__}: {error}"))
            return
        self.contexts.note_renders(real, module)
        if not collect_calls:
            return
        starts = line_starts(text)
        source = SourceFile(path, text, starts, ignore_comments(text, PYTHON_IGNORE, starts))
        for found in module.calls:
            call = python_scan.python_call(source, found.call)
            if call.relative:
                call.contexts = self.contexts.function_contexts(real, found.scopes, module)
            self._calls.append((source, call))

    def scan_template(self, path: str, name: str | None) -> None:
        """Note a template's url_for calls and the templates it extends, includes or imports.

        Relative calls wait in :attr:`_relative_template_calls` until every renderer is known.
        """
        try:
            text = read_template(path)
        except (OSError, UnicodeDecodeError) as error:
            self.report.unparsable.append(Unparsable(self.display(path), str(error)))
            return
        if not jinja_scan.might_matter(text):
            return
        try:
            calls, references = jinja_scan.UrlForParser.scan(self.jinja_env, text, name, path)
        except TemplateSyntaxError as error:
            self.report.unparsable.append(Unparsable(self.display(path), f"line {error.lineno}: {error.message}"))
            return
        starts = line_starts(text)
        source = SourceFile(path, text, starts, ignore_comments(text, JINJA_IGNORE, starts))
        if name is not None:
            self.contexts.note_references(name, jinja_scan.referenced_names(references))
            self._files_named.setdefault(name, set()).add(os.path.realpath(path))
        for call in jinja_scan.template_calls(source, calls, self.jinja_env):
            if call.relative:
                self._relative_template_calls.append((source, call, name))
            else:
                self._calls.append((source, call))

    def resolve_template_calls(self) -> None:
        """Give relative calls in templates their blueprints, once every renderer is known.

        A template's renderer may be any module of the app, not only the checked paths: the
        modules under the app's root that were not scanned are read for their renders alone.
        """
        if not self._relative_template_calls:
            return
        for full in python_files_under(os.path.realpath(self.app.root_path)):
            if os.path.realpath(full) not in self._scanned_python:
                self.scan_python(full, collect_calls=False)
        known = frozenset(self.inventory.endpoints)
        for source, call, name in self._relative_template_calls:
            if name is not None:
                real = os.path.realpath(source.path)
                attribution = self.contexts.attribute(name, real, len(self._files_named[name]), self.jinja_env)
                reason = attribution.unverifiable_reason(name, t.cast(str, call.endpoint), known)
                if reason is not None:
                    self._unverifiable(call, reason)
                    continue
                call.contexts = attribution.contexts
            self._calls.append((source, call))

    # ---- checking

    def check_calls(self) -> None:
        """Check every call found, after the scan rather than during it.

        A build that fails leaves Flask's BuildError in a reference cycle with its traceback, whose
        frames reach back to the caller's: asked from inside a file's scan, each failure kept that
        file's syntax tree alive until a full garbage collection (5% of the check's time).
        """
        for source, call in self._calls:
            self.check_call(source, call)
        # Those cycles hold this run too: drop what only the check needed, so that it is freed
        # now instead of by the next full collection.
        self._calls.clear()
        self._relative_template_calls.clear()
        self._builds.clear()
        self._failures.clear()

    def check_call(self, source: SourceFile, call: FoundCall) -> None:
        """Check one call in every blueprint its endpoint resolves in; a dynamic call is unverifiable."""
        if call.endpoint is None:
            self._unverifiable(call, "endpoint is not a literal string")
            return
        self.report.calls += 1
        if call.relative and call.contexts is None:
            self._add(source, call, self._unresolved_relative(call, call.endpoint))
            return
        # A relative call here has its blueprints (else it returned above); any other is the app's.
        contexts = call.contexts if call.relative else None
        blueprints = sorted(contexts, key=lambda b: b or "") if contexts is not None else [None]
        renamed = renamed_endpoint(call.endpoint, blueprints, self.renames)
        if renamed is not None:
            old = resolve_endpoint(call.endpoint, blueprints[0])
            self.referenced.add(old)
            self._add(source, call, self._renamed(call, renamed, self.renames[old]))
            return
        seen: set[tuple[str, str]] = set()
        for blueprint in blueprints:
            if not self._check_in(source, call, call.endpoint, blueprint, seen):
                return

    def _renamed(self, call: FoundCall, written: str, new: str) -> Finding:
        """RE013: the call names an endpoint ``--rename`` renames to ``new``; ``--fix`` writes ``written``."""
        return self._finding(
            call,
            code=RENAMED_CODE,
            kind=None,
            message=f"{call.endpoint!r} was renamed to {new!r} (--rename).",
            suggestion=written,
            replacement=written,
            span=call.span,
        )

    def _unresolved_relative(self, call: FoundCall, endpoint: str) -> Finding:
        """RE002: no enclosing or rendering view tells which blueprint ``'.name'`` is resolved in."""
        where = "rendering view" if call.template else "enclosing view"
        return self._finding(
            call,
            code=UNRESOLVED_RELATIVE_CODE,
            kind="relative_endpoint",
            message=f"Could not resolve the relative endpoint {endpoint!r}: no {where} of a blueprint "
            "or the app was found. Write the full endpoint name.",
        )

    def _check_in(
        self, source: SourceFile, call: FoundCall, endpoint: str, blueprint: str | None, seen: set[tuple[str, str]]
    ) -> bool:
        """Check the call as if made in ``blueprint``; ``False`` when the whole call is unverifiable.

        A relative call checked in several blueprints reports each distinct problem once
        (``seen``), saying in which blueprint it occurs.
        """
        resolved = resolve_endpoint(endpoint, blueprint)
        self.referenced.add(resolved)
        result = self._diagnose(call, endpoint, blueprint)
        if result is None:
            self._check_query_strays(source, call, resolved, seen)
            return True
        if call.star_kwargs and result.kind in _KWARGS_HIDE:
            return True
        code = self._code(result, resolved)
        if code is None:
            self.report.calls -= 1
            reason = f"{result.headline} The hook may need request state that a static check does not have."
            self._unverifiable(call, reason)
            return False
        message = result.explanation
        strays = self._strays(call, result, resolved)
        if strays:
            code = MISSPELT_VARIABLE_CODE
            message += (
                f" It passes {join_names(strays)}, which {'is' if len(strays) == 1 else 'are'} no URL variable of "
                f"{resolved!r}: a misspelling of {join_names(result.missing)}?"
            )
        if call.relative and len(call.contexts or ()) > 1:
            where = f"in blueprint {blueprint!r}" if blueprint else "outside blueprints"
            message = f"When rendered {where}: {message}"
        if (code, message) not in seen:
            seen.add((code, message))
            self._add(source, call, self._engine_finding(call, endpoint, resolved, result, code, message))
        return True

    def _check_query_strays(
        self, source: SourceFile, call: FoundCall, resolved: str, seen: set[tuple[str, str]]
    ) -> None:
        """RE012 for a call that builds while a likely misspelt variable goes to the query string."""
        if call.star_kwargs or not call.values:
            return
        method = call.method if isinstance(call.method, str) else None
        stray = query_stray(self.app, self.inventory.routes_for(resolved), call.values, method)
        if stray is None or (QUERY_STRAY_CODE, stray.message()) in seen:
            return
        seen.add((QUERY_STRAY_CODE, stray.message()))
        self._add(source, call, self._finding(call, code=QUERY_STRAY_CODE, kind=None, message=stray.message()))

    def _engine_finding(
        self, call: FoundCall, endpoint: str, resolved: str, result: Diagnosis, code: str, message: str
    ) -> Finding:
        """The finding for the engine's answer, with what ``--fix`` may write when it is unambiguous.

        The best candidate is a suggestion only when it names another endpoint than the call's.
        """
        best = result.suggestions[0].endpoint if result.suggestions else None
        finding = self._finding(
            call,
            code=code,
            kind=result.kind,
            message=message,
            suggestion=best if best != resolved else None,
            fix=result.fix,
            replacement=sure_replacement(result, endpoint) if call.span else None,
            span=call.span,
        )
        return replace(finding, placeholders=result.placeholders, regression_test=result.regression_test)

    def _finding(
        self,
        call: FoundCall,
        *,
        code: str,
        kind: str | None,
        message: str,
        suggestion: str | None = None,
        fix: str | None = None,
        replacement: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> Finding:
        """A finding at the call's place."""
        return Finding(
            file=self.display(call.path),
            line=call.line,
            column=call.column,
            code=code,
            kind=kind,
            endpoint=call.endpoint,
            message=message,
            suggestion=suggestion,
            fix=fix,
            replacement=replacement,
            span=span,
            path=call.path,
        )

    def _code(self, result: Diagnosis, resolved: str) -> str | None:
        """The finding code of the engine's answer; ``None`` when only a url_defaults hook failed.

        A hook that raises hides what the call itself gets wrong. An endpoint that does not exist
        is RE001 whatever the hook did (Flask's own i18n hook asks the URL map about the endpoint
        and raises exactly then). For an endpoint that exists, the engine looks behind the hook:
        a problem it finds there other than missing variables is RE011; missing variables may be
        what the hook supplies at run time, from request state a static check does not have, so
        that call is unverifiable rather than an error.
        """
        if result.kind != "url_defaults_hook":
            return code_for_kind(result.kind)
        if not self.inventory.routes_for(resolved):
            return UNKNOWN_ENDPOINT_CODE
        return HOOK_CODE if result.suggestions and (result.unexpected or not result.missing) else None

    def _strays(self, call: FoundCall, result: Diagnosis, resolved: str) -> list[str]:
        """Passed names no rule of the endpoint has, when a required variable is missing (RE005).

        The engine calls a name a rename only when it looks like the missing one; any other stray
        name is still most likely the misspelt variable, since Flask would otherwise put it in the
        query string silently.
        """
        if result.kind != "missing_parameters":
            return []
        variables = {name for route in self.inventory.routes_for(resolved) for name in route.argument_names}
        return [name for name in call.values if name not in variables]

    def _diagnose(self, call: FoundCall, endpoint: str, blueprint: str | None) -> Diagnosis | None:
        """The engine's answer, asked once per distinct call.

        Whether a call builds does not depend on how it is written, so one answer serves every
        call with the same endpoint and values; a failure's fix quotes the call's own text, so
        failures are remembered per text.
        """
        method = call.method if isinstance(call.method, str) else None
        external = call.external if isinstance(call.external, bool) else None
        scheme = call.scheme if isinstance(call.scheme, str) else None
        key = (endpoint, tuple(sorted(call.values.items())), method, blueprint, external, scheme)
        if key in self._builds:
            return None
        failure_key = (key, call.source, call.site_span, call.template)
        if failure_key in self._failures:
            return self._failures[failure_key]
        site = CallSite(file=call.path, line=call.line, source=call.source, template=call.template, span=call.site_span)
        result = diagnose_call(
            self.app,
            endpoint,
            call.values,
            method=method,
            blueprint=blueprint,
            external=external,
            scheme=scheme,
            call=site,
        )
        if result is None:
            self._builds.add(key)
        else:
            self._failures[failure_key] = result
        return result

    def _unverifiable(self, call: FoundCall, reason: str) -> None:
        """Count a call that cannot be checked before it runs, with the reason."""
        self.report.unverifiable.append(Unverifiable(self.display(call.path), call.line, call.column, reason))

    def _add(self, source: SourceFile, call: FoundCall, finding: Finding) -> None:
        """Report the finding unless an ignore comment on one of the call's lines silences its code."""
        if not source.suppressed(finding.code, call.lines):
            self.report.findings.append(replace(finding, digest=source.digest) if finding.replacement else finding)

    # ---- unused endpoints

    def report_unused(self) -> None:
        """Endpoints of views in the scanned code that no literal call names (information)."""
        roots = [str(os.path.realpath(r)) for r in self.files.roots]
        for endpoint, routes in self.inventory.by_endpoint.items():
            route = routes[0]
            view = route.view
            if route.internal or view.kind == "static" or endpoint in self.referenced or not view.file:
                continue
            real = os.path.realpath(view.file)
            if not any(real == r or real.startswith(r + os.sep) for r in roots):
                continue
            self.report.findings.append(
                Finding(
                    file=self.display(view.file),
                    line=view.line or 1,
                    column=1,
                    code=UNUSED_CODE,
                    kind=None,
                    endpoint=endpoint,
                    message=f"Endpoint {endpoint!r} ({route.rule}) is never referenced by a literal url_for call.",
                    path=view.file,
                )
            )

    def display(self, path: str) -> str:
        """A path relative to the working directory when under it, for readable output."""
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative


def check_report(
    app: Flask,
    paths: t.Sequence[str | os.PathLike[str]] | None = None,
    *,
    unused: bool = False,
    renames: t.Mapping[str, str] | None = None,
) -> CheckReport:
    """Scan ``paths`` (default: the app's root path and template folders) and check every call.

    ``renames`` (old endpoint -> new) reports every call to an old name as RE013, with the new
    name for ``--fix``. Raises ``FileNotFoundError`` for a path that does not exist.
    """
    run = CheckRun(app, paths, renames)
    python, templates = run.files.collect()
    run.report.files = len(python) + len(templates)
    with app.app_context(), batch(app):
        for path in python:
            run.scan_python(path)
        for path, name in templates:
            run.scan_template(path, name)
        run.resolve_template_calls()
        run.check_calls()
    if unused:
        run.report_unused()
    run.report.findings.sort(key=lambda f: (f.file, f.line, f.column, f.code))
    run.report.unverifiable.sort(key=lambda u: (u.file, u.line, u.column))
    return run.report


def check(app: Flask, paths: t.Sequence[str | os.PathLike[str]] | None = None, *, unused: bool = False) -> Findings:
    """Every ``url_for`` problem in the app's code, for ``assert not check(app)`` in a test suite."""
    return check_report(app, paths, unused=unused).findings
