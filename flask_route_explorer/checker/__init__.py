"""The static ``url_for`` checker: find every call in Python and Jinja, check it against the app.

One concept per module:

- :mod:`.findings`: the finding codes and what a run reports (``Finding``, ``Findings``, ``CheckReport``);
- :mod:`.files`: which files are read, how, and their ignore comments;
- :mod:`.calls`: a call as the scanners found it;
- :mod:`.python_scan` and :mod:`.jinja_scan`: the calls of a module (``ast``) and of a template (Jinja's parser);
- :mod:`.contexts`: the blueprint a relative endpoint resolves in;
- :mod:`.run`: one run, step by step (``check_report``, ``check``);
- :mod:`.strays`: a call that builds with a misspelt variable sent as a query argument (RE012);
- :mod:`.renames`: calls to an endpoint ``--rename`` renames (RE013);
- :mod:`.fix`: which findings ``--fix`` may rewrite, and the safe rewrite.
"""

from .files import JINJA_ONLY_SUFFIXES, SKIP_DIRS, TEMPLATE_SUFFIXES
from .findings import (
    CODES,
    HOOK_CODE,
    INFO_CODES,
    KIND_CODES,
    OTHER_CODE,
    WARNING_CODES,
    CheckReport,
    Finding,
    Findings,
    Unparsable,
    Unverifiable,
    code_for_kind,
)
from .fix import FIXABLE_KINDS, SURE_SCORE, FileFix, FixResult, fix_findings, fixable
from .run import check, check_report

__all__ = [
    "CODES",
    "FIXABLE_KINDS",
    "HOOK_CODE",
    "INFO_CODES",
    "JINJA_ONLY_SUFFIXES",
    "KIND_CODES",
    "OTHER_CODE",
    "SKIP_DIRS",
    "SURE_SCORE",
    "TEMPLATE_SUFFIXES",
    "WARNING_CODES",
    "CheckReport",
    "FileFix",
    "Finding",
    "Findings",
    "FixResult",
    "Unparsable",
    "Unverifiable",
    "check",
    "check_report",
    "code_for_kind",
    "fix_findings",
    "fixable",
]
