"""Sanity checks of the synthetic benchmark apps (bench/synthetic.py).

Counting convention (see the module docstring): ``n_rules`` excludes Flask's ``static`` rule and
``n_blueprints`` includes nested blueprints.
"""

from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask, url_for

from bench.synthetic import endpoint_names, make_app, sample_values


@pytest.fixture(scope="module")
def app() -> Flask:
    return make_app(1400, 100)


def generated_rules(app: Flask) -> list:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_counts(app: Flask) -> None:
    assert len(generated_rules(app)) == 1400
    assert len(list(app.url_map.iter_rules())) == 1401
    assert len(app.blueprints) == 100
    assert any("." in name for name in app.blueprints), "some blueprints are nested"
    assert any(endpoint.count(".") == 2 for endpoint in endpoint_names(app))


def test_shape(app: Flask) -> None:
    rules = generated_rules(app)
    arg_counts = Counter(len(rule.arguments) for rule in rules)
    assert arg_counts[11] >= 5
    assert max(arg_counts) == 11
    assert arg_counts[0] > 0
    assert any(rule.methods == {"POST", "OPTIONS"} for rule in rules)
    assert any({"GET", "POST"} <= rule.methods for rule in rules)
    assert sum(1 for rule in rules if rule.defaults) == 100
    assert any(getattr(app.view_functions[rule.endpoint], "view_class", None) for rule in rules)
    text = " ".join(rule.rule for rule in rules)
    for converter in ("<int:", "int(min=", "<float:", "<uuid:", "<path:", "<any(", "<string:"):
        assert converter in text
    assert len({rule.rule for rule in rules}) == len(rules)


def test_deterministic() -> None:
    first = [(r.rule, r.endpoint) for r in make_app(60, 6, seed=3).url_map.iter_rules()]
    second = [(r.rule, r.endpoint) for r in make_app(60, 6, seed=3).url_map.iter_rules()]
    other = [(r.rule, r.endpoint) for r in make_app(60, 6, seed=4).url_map.iter_rules()]
    assert first == second != other


def test_every_rule_builds_and_matches_back(app: Flask) -> None:
    samples = sample_values(app)
    assert len(samples) == 1400
    adapter = app.url_map.bind("localhost")
    matched = set()
    with app.test_request_context():
        for sample in samples:
            assert url_for(sample.endpoint, **sample.values) == sample.path
            rule, args = adapter.match(sample.path, sample.method, return_rule=True)
            assert rule.endpoint == sample.endpoint, sample
            assert args == sample.view_args, sample
            matched.add(id(rule))
    assert matched == {id(rule) for rule in generated_rules(app)}


def test_small_and_bounded_apps() -> None:
    app = make_app(5, 5, max_args=3)
    assert len(generated_rules(app)) == 5
    assert max(len(rule.arguments) for rule in app.url_map.iter_rules()) <= 3
    with pytest.raises(ValueError):
        make_app(3, 5)
