"""`fineasy train | evaluate | backtest`: each model's offline package (deployments.<model>.offline,
found by its seam) fits it and measures it; here its artifact is saved, versioned and pinned,
loaded again to be measured, and the report printed."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

from threadpoolctl import threadpool_limits

from deployments.hosting.artifacts import ArtifactError, list_versions, load_artifact, save_artifact
from deployments.offline.commands import Run
from kernel.models.registry import SEAMS
from kernel.tuning import ModelsConfig
from serve_app.serve_config import SERVE_YAML, ServeConfig


def _offline(model: str) -> ModuleType:
    """The model's offline package: its `train` and its `evaluate`
    (deployments/offline/commands.py)."""
    return importlib.import_module(f"deployments.{model}.offline")


def _models_dir(args: argparse.Namespace) -> str:
    return str(args.models_dir or ModelsConfig().models_dir)


def _shipped() -> ServeConfig:
    """config/serve.yaml: training and evaluation use the tuning the deployments run with."""
    from serve_app import serve_config

    return serve_config.load()


def _pin_file(args: argparse.Namespace) -> Path | None:
    """The serve.yaml whose pins training writes: --config, else config/serve.yaml when the
    models go to the folder it serves (var/models); None for any other folder."""
    if args.config:
        return Path(args.config)
    served = Path(ModelsConfig().models_dir).resolve()
    return SERVE_YAML if Path(_models_dir(args)).resolve() == served else None


def cmd_train(args: argparse.Namespace) -> int:
    """Trains what is missing, unreadable or not the pinned artifact, and pins each artifact's
    sha256 in config/serve.yaml (then rewrites the RayService generated from it). With
    --check-pins nothing is written: it fails when an artifact does not hash to its pin (the
    image's build: the same training must give the same bytes)."""
    from ops import pins

    models_dir, pin_file = _models_dir(args), _pin_file(args)
    changed, mismatched = [], []
    for name in (seam.name for seam in SEAMS):
        if args.model not in (name, "all"):
            continue
        called = f"{name} {args.version}"
        version, pin = pins.pinned(name, pin_file) if pin_file else (None, None)
        wanted = pin if version == args.version else None
        if args.version in list_versions(models_dir, name) and not args.force:
            try:
                _, manifest = load_artifact(models_dir, name, args.version)
            except ArtifactError as exc:
                print(f"{called} in {models_dir} cannot be loaded ({exc}); retraining")
            else:
                if wanted in (None, manifest.sha256):
                    print(
                        f"{name} {args.version} already exists in {models_dir}; --force retrains it"
                    )
                    continue
                print(
                    f"{name} {args.version} in {models_dir} is not the pinned artifact; retraining"
                )
        # One thread for BLAS and OpenMP: summing in another order makes other float bits
        # (HistGradientBoosting's histograms, BLAS products), so other bytes than the pins.
        with threadpool_limits(limits=1):
            payload, metrics, data_hash = _offline(name).train(
                args.version, args.businesses, _shipped()
            )
        manifest = save_artifact(
            models_dir, name, args.version, payload, metrics=metrics, training_data_hash=data_hash
        )
        print(f"{name} {manifest.version}: sha256 {manifest.sha256}")
        print(json.dumps(metrics, indent=2))
        if args.check_pins:
            if wanted is not None and manifest.sha256 != wanted:
                mismatched.append(
                    f"{name} {args.version}: trained {manifest.sha256}, pinned {wanted}"
                )
        elif pin_file is not None and pins.pin(name, args.version, manifest.sha256, pin_file):
            changed.append(name)
            print(f"{called}: pinned in {pin_file}")
        elif pin_file is not None and version != args.version:
            print(
                f"{called}: {pin_file} serves {version}; to serve this one, set its"
                f" {pins.deployment_of(name)}'s model_version: {args.version} and"
                f' model_sha256: "{manifest.sha256}"'
            )
    for line in mismatched:
        print(f"not the pinned artifact: {line}", file=sys.stderr)
    if changed and pin_file is not None and pin_file.resolve() == SERVE_YAML.resolve():
        from ops import k8s

        for path in k8s.write():
            print(f"wrote {k8s.shown(path)}")
    return 1 if mismatched else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Prints the model's evaluation, as its offline package reports it."""
    return _report(_offline(args.model).evaluate, args, args.model)


def cmd_backtest(args: argparse.Namespace) -> int:
    """Prints the forecasts' backtest: the insights model's evaluation, by its old name."""
    return _report(_offline("insights").evaluate, args, "insights")


def _report(command: Callable[[Run], Iterable[str]], args: argparse.Namespace, name: str) -> int:
    payload, manifest = load_artifact(_models_dir(args), name, args.version)
    run = Run(
        payload,
        manifest,
        _shipped(),
        args.businesses,
        args.independent_businesses,
        # evaluate's options for the OCR model; backtest has none
        count=getattr(args, "count", None),
        seed=getattr(args, "seed", None),
    )
    for line in command(run):
        print(line)
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """Validates a serve.yaml (config/serve.yaml by default) the way a deploy would read it."""
    from serve_app.ray_schema import checked
    from serve_app.serve_config import SERVE_YAML, ServeConfigError

    path = Path(args.path) if args.path else SERVE_YAML
    try:
        config = checked(path)
    except (ServeConfigError, OSError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    for name, tuning in config.tunings.items():
        print(f"{name}: {tuning.model_dump(exclude_none=True)}")
    print(f"{path}: valid (models from {config.args.models.models_dir})")
    return 0
