"""The ``admin`` blueprint and its nested ``reports`` blueprint (``admin.reports.*``)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template

from .auth import login_required
from .models import ORDERS

bp = Blueprint("admin", __name__, url_prefix="/admin")
reports = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/")
@login_required
def home() -> str:
    """The admin dashboard."""
    return render_template("admin/home.html", orders=ORDERS)


@bp.route("/orders/<uuid:order_id>")
@login_required
def order_detail(order_id: uuid.UUID) -> str:
    """One order, by its UUID."""
    order = ORDERS.get(order_id) or abort(404)
    return render_template("admin/order.html", order_id=order_id, order=order)


@bp.route("/files/<path:filepath>")
@login_required
def browse_file(filepath: str) -> str:
    """Browse uploaded files (a path converter)."""
    return render_template("admin/file.html", filepath=filepath, parts=filepath.split("/"))


@reports.route("/")
def report_index() -> str:
    """All reports."""
    return render_template("admin/reports/index.html", periods=("daily", "weekly", "monthly"))


@reports.route("/<any(daily, weekly, monthly):period>")
def period_report(period: str) -> str:
    """Sales for a daily, weekly or monthly period."""
    return render_template("admin/reports/period.html", period=period)


@reports.route("/revenue/above/<float:threshold>")
def revenue_above(threshold: float) -> str:
    """Orders above a revenue threshold."""
    rows = [(oid, o) for oid, o in ORDERS.items() if float(o["total"]) > threshold]  # type: ignore[arg-type]
    return render_template("admin/reports/revenue.html", threshold=threshold, rows=rows)


bp.register_blueprint(reports)
