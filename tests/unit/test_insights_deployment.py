"""The InsightsDeployment shell (ModelHost): live thresholds, and artifacts checked by kind."""

import shutil
from pathlib import Path

import pytest

from deployments.hosting.artifacts import ArtifactError
from deployments.insights.deployment import InsightsDeployment
from kernel.tuning import ModelsConfig
from testkit.factories import write_model
from tests.support.config import pinned_config, user_config

Shell = InsightsDeployment.func_or_class


def test_thresholds_change_in_place_without_reloading(tmp_path: Path) -> None:
    write_model(tmp_path, "v1", name="insights")
    shell = Shell(ModelsConfig(models_dir=str(tmp_path)))
    shell.reconfigure(pinned_config(tmp_path, "InsightsDeployment", "v1"))
    predictor, loaded_at = shell._ready(), shell.info().loaded_at
    shell.reconfigure(
        pinned_config(
            tmp_path, "InsightsDeployment", "v1", concentration_share=0.9, top_customers=5
        )
    )
    assert shell._ready() is predictor
    assert (predictor.tuning.concentration_share, predictor.tuning.top_customers) == (0.9, 5)
    assert shell.info().loaded_at >= loaded_at and shell.info().name == "insights"


def test_an_artifact_of_another_kind_is_refused(tmp_path: Path) -> None:
    write_model(tmp_path, "v1", name="fraud")
    shutil.copytree(tmp_path / "fraud", tmp_path / "insights")
    shell = Shell(ModelsConfig(models_dir=str(tmp_path)))
    with pytest.raises(ArtifactError, match="not a ForecastModels bundle"):
        shell.reconfigure(pinned_config(tmp_path, "InsightsDeployment", "v1"))


def test_bad_thresholds_are_rejected_before_anything_loads(tmp_path: Path) -> None:
    shell = Shell(ModelsConfig(models_dir=str(tmp_path)))
    with pytest.raises(ValueError, match="concentration_share"):
        shell.reconfigure(
            user_config(
                "InsightsDeployment",
                model_version="v1",
                model_sha256="0" * 64,
                concentration_share=1.5,
            )
        )
