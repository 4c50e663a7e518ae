"""Proctor pages. The dashboard arrives with the proctoring issue; this is its entry."""

from flask import Blueprint, render_template

bp = Blueprint("proctor", __name__)


@bp.get("/proctor/")
def home():
    return render_template("proctor/home.html")
