"""The error tree is one tree, and its docstring draws every class in it."""

from __future__ import annotations

import inspect

from botkit import errors


def _error_classes() -> list[type[BaseException]]:
    return [
        obj
        for obj in vars(errors).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    ]


def test_every_error_derives_from_botkit_error() -> None:
    for cls in _error_classes():
        assert issubclass(cls, errors.BotkitError), cls


def test_docstring_draws_every_class() -> None:
    doc = errors.__doc__ or ""
    for cls in _error_classes():
        assert cls.__name__ in doc, cls.__name__


def test_all_lists_every_class() -> None:
    assert {cls.__name__ for cls in _error_classes()} == set(errors.__all__)


def test_iq_error_keeps_code_and_text() -> None:
    err = errors.IQError(404, "item-not-found")
    assert (err.code, err.text) == (404, "item-not-found")
    assert "404" in str(err)
