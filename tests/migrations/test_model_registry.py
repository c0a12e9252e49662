"""desktop.models imports a model module when one of its classes is first named: every mapped class
must be listed there, or `from desktop.models import X` fails and load_all() (migrations, the
tests' TRUNCATE) misses its table."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import desktop.models as models
from desktop.models.base import Base


def test_every_mapped_class_is_named_by_the_package() -> None:
    found = {}
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"desktop.models.{info.name}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Base) and value.__module__ == module.__name__:
                found[name] = info.name
    found["Base"] = "base"
    assert found == models._MODULES
    assert set(models.__all__) == set(found)
    assert {t.name for t in models.load_all().sorted_tables} >= {"part", "stock_move", "asset"}
