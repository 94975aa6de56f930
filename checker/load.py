"""Loading: read spec and model files, parse and check them, compile; collect diagnostics."""

from __future__ import annotations

import os
from dataclasses import dataclass

from checker import ir
from checker.compile import System, compile_system
from checker.diagnostics import CheckError, Diagnostic
from checker.dsl import ast
from checker.dsl.parse import parse_model, parse_spec
from checker.sema.check import check_model
from checker.source import Source, Span


def read_source(path: str) -> Source:
    try:
        with open(path, encoding="utf-8") as f:
            return Source(path, f.read())
    except FileNotFoundError:
        raise CheckError([Diagnostic("error", "PC501", f"no such file: {path}",
                                     Span(path, 0, 0, 0, 0))]) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as err:
        raise CheckError([Diagnostic("error", "PC501", f"cannot read {path}: {err}",
                                     Span(path, 0, 0, 0, 0))]) from None


@dataclass(frozen=True)
class Loaded:
    spec: ast.Spec | None
    config: ir.CheckConfig | None
    model: ir.Model
    system: System
    warnings: tuple[Diagnostic, ...]
    sources: dict


def load_spec(path: str) -> Loaded:
    spec_src = read_source(path)
    spec = parse_spec(spec_src)
    if spec.model_path is None:
        raise CheckError([Diagnostic("error", "PC407", "the spec does not name its model; add "
                                     "'model \"path/to/file.model\"'", spec.span,
                                     spec_src.line_text(spec.span.line))])
    model_path = os.path.normpath(os.path.join(os.path.dirname(path), spec.model_path))
    if not os.path.isfile(model_path):
        raise CheckError([Diagnostic("error", "PC408", f"model file not found: {model_path}",
                                     spec.model_span, spec_src.line_text(spec.model_span.line))])
    model_src = read_source(model_path)
    model = parse_model(model_src)
    sources = {path: spec_src, model_path: model_src}
    checked = check_model(model, sources, spec)
    system = compile_system(checked.model, checked.config.invariants)
    return Loaded(spec, checked.config, checked.model, system, checked.warnings, sources)


def load_model(path: str) -> Loaded:
    src = read_source(path)
    model = parse_model(src)
    sources = {path: src}
    checked = check_model(model, sources)
    system = compile_system(checked.model)
    return Loaded(None, None, checked.model, system, checked.warnings, sources)
