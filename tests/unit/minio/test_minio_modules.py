"""The eight MinIO modules: each single module and its list form run the same converge through
MinioModule, with the same item options, documented in both."""

import importlib

import pytest
import yaml

PAIRS = [("minio_bucket", "minio_buckets", "buckets", "bucket", "converge_buckets"),
         ("minio_policy", "minio_policies", "policies", "policy", "converge_policies"),
         ("minio_user", "minio_users", "users", "user", "converge_users"),
         ("minio_service_account", "minio_service_accounts", "service_accounts", "service_account",
          "converge_service_accounts")]


def module(name):
    return importlib.import_module("ansible_collections.onprem.mlflow.plugins.modules." + name)


@pytest.mark.parametrize("single, many, option, kind, converge", PAIRS)
def test_single_and_list_forms_share_one_converge(single, many, option, kind, converge):
    shared = importlib.import_module("ansible_collections.onprem.mlflow.plugins.module_utils.minio." + kind)
    assert getattr(module(single), converge) is getattr(shared, converge)
    assert getattr(module(many), converge) is getattr(shared, converge)
    assert module(single).MinioModule is module(many).MinioModule


@pytest.mark.parametrize("single, many, option, kind, converge", PAIRS)
def test_every_single_option_is_a_documented_item_option(single, many, option, kind, converge):
    single_doc = yaml.safe_load(module(single).DOCUMENTATION)
    many_doc = yaml.safe_load(module(many).DOCUMENTATION)
    assert set(single_doc["options"]) == set(many_doc["options"][option]["suboptions"])
    assert "workers" in many_doc["options"]
    for doc in (single_doc, many_doc):
        assert "attributes" not in doc
        assert "onprem.mlflow.attributes.minio_group" in doc["extends_documentation_fragment"]


@pytest.mark.parametrize("single, many, option, kind, converge", PAIRS)
def test_secret_options_are_never_logged(single, many, option, kind, converge):
    shared = importlib.import_module("ansible_collections.onprem.mlflow.plugins.module_utils.minio." + kind)
    options = shared.user_options(True) if kind == "user" else getattr(shared, kind.upper() + "_OPTIONS")
    for name, spec in options.items():
        if "secret" in name and spec["type"] == "str":
            assert spec.get("no_log") is True, name
