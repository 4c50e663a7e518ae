"""Configuration: typed, from the environment, and production refuses unsafe defaults."""

from ipaddress import ip_network

import pytest
from cryptography.fernet import Fernet

from lti_tool import create_app
from lti_tool.config import KNOWN_DEV_KEY_ENCRYPTION_KEYS, ConfigError

STRONG = "x" * 40
OWN_KEY = Fernet.generate_key().decode()


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "TOOL_BASE_URL", "DATABASE_URL", "APP_ENV", "PROXY_FIX_HOPS", "KEY_ENCRYPTION_KEYS",
                 "FRAME_ANCESTORS", "BIND", "DEMO_PLATFORM_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def production_env(clean_env):
    """Everything production needs but the key-encryption key."""
    clean_env.setenv("SECRET_KEY", STRONG)
    clean_env.setenv("TOOL_BASE_URL", "https://tool.example.edu")
    return clean_env


def test_production_refuses_the_default_secret(clean_env):
    clean_env.setenv("TOOL_BASE_URL", "https://tool.example.edu")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production"})


def test_production_refuses_a_missing_base_url(clean_env):
    clean_env.setenv("SECRET_KEY", STRONG)
    with pytest.raises(ConfigError, match="TOOL_BASE_URL"):
        create_app({"APP_ENV": "production"})


def test_production_starts_with_its_secrets_and_has_no_demo(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", STRONG)
    clean_env.setenv("TOOL_BASE_URL", "https://tool.example.edu/")
    clean_env.setenv("KEY_ENCRYPTION_KEYS", OWN_KEY)
    app = create_app({"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["TOOL_BASE_URL"] == "https://tool.example.edu"
    assert "demo" not in app.blueprints
    assert app.config["PROXY_FIX_HOPS"] == 1


def test_production_refuses_to_start_without_a_key_encryption_key_and_says_how_to_make_one(production_env):
    with pytest.raises(ConfigError, match="KEY_ENCRYPTION_KEYS must be set") as error:
        create_app({"APP_ENV": "production"})
    assert "Fernet.generate_key()" in str(error.value)


@pytest.mark.parametrize("dev_key", sorted(KNOWN_DEV_KEY_ENCRYPTION_KEYS))
def test_production_refuses_the_development_and_test_key_encryption_keys(production_env, dev_key):
    production_env.setenv("KEY_ENCRYPTION_KEYS", f"{OWN_KEY} {dev_key}")
    with pytest.raises(ConfigError, match="KEY_ENCRYPTION_KEYS must be a key of your own in production"):
        create_app({"APP_ENV": "production"})


def test_key_encryption_keys_are_a_list_and_a_malformed_one_is_named_not_shown(clean_env):
    other = Fernet.generate_key().decode()
    clean_env.setenv("KEY_ENCRYPTION_KEYS", f"{OWN_KEY}, {other}")
    assert create_app({"APP_ENV": "test"}).config["KEY_ENCRYPTION_KEYS"] == (OWN_KEY, other)

    clean_env.setenv("KEY_ENCRYPTION_KEYS", f"{OWN_KEY} not-a-fernet-key")
    with pytest.raises(ConfigError, match="KEY_ENCRYPTION_KEYS: key 2 is not a Fernet key") as error:
        create_app({"APP_ENV": "test"})
    assert "not-a-fernet-key" not in str(error.value)


@pytest.mark.parametrize("origin", ["https://lms.example.edu/course", "*", "https://a.edu; script-src *",
                                    "lms.example.edu"])
def test_frame_ancestors_takes_only_origins(clean_env, origin):
    clean_env.setenv("FRAME_ANCESTORS", f"https://canvas.school.edu {origin}")
    with pytest.raises(ConfigError, match="FRAME_ANCESTORS"):
        create_app({"APP_ENV": "test"})


def test_environment_values_are_typed(clean_env):
    clean_env.setenv("PROXY_FIX_HOPS", "2")
    clean_env.setenv("PASSBACK_BACKOFF_SECONDS", "0.5")
    app = create_app({"APP_ENV": "test"})
    assert app.config["PROXY_FIX_HOPS"] == 2
    assert app.config["PASSBACK_BACKOFF_SECONDS"] == 0.5


def test_a_bad_number_names_the_variable(clean_env):
    clean_env.setenv("PROXY_FIX_HOPS", "two")
    with pytest.raises(ConfigError, match="PROXY_FIX_HOPS"):
        create_app({"APP_ENV": "test"})


def test_networks_an_lms_may_be_on_come_from_the_environment(clean_env):
    clean_env.setenv("OUTBOUND_ALLOWED_NETWORKS", "10.20.0.0/16, fd00::/8")
    app = create_app({"APP_ENV": "test"})
    assert app.config["OUTBOUND_ALLOWED_NETWORKS"] == (ip_network("10.20.0.0/16"), ip_network("fd00::/8"))


def test_a_bad_network_names_the_variable(clean_env):
    clean_env.setenv("OUTBOUND_ALLOWED_NETWORKS", "10.20.0.5/16")
    with pytest.raises(ConfigError, match="OUTBOUND_ALLOWED_NETWORKS"):
        create_app({"APP_ENV": "test"})


def test_production_calls_no_internal_network_and_no_plain_http(production_env, tmp_path):
    production_env.delenv("OUTBOUND_ALLOWED_NETWORKS", raising=False)
    production_env.setenv("KEY_ENCRYPTION_KEYS", OWN_KEY)
    app = create_app({"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["OUTBOUND_ALLOWED_NETWORKS"] == ()
    assert app.config["ALLOW_INSECURE_PLATFORMS"] is False


def test_unknown_environment_is_refused(clean_env):
    with pytest.raises(ConfigError, match="APP_ENV"):
        create_app({"APP_ENV": "staging"})


def test_postgres_urls_use_psycopg2(clean_env):
    app = create_app({"APP_ENV": "test", "DATABASE_URL": "postgresql://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@h/db"


def test_proxy_fix_makes_https_urls_behind_a_tls_proxy(clean_env, tmp_path):
    app = create_app({"APP_ENV": "test", "PROXY_FIX_HOPS": 1, "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})

    @app.get("/scheme")
    def scheme():
        from flask import request
        return request.scheme

    response = app.test_client().get("/scheme", headers={"X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "https"


def development_app(tmp_path, **config):
    return create_app({"APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/d.db", **config})


def test_development_serves_the_tool_and_the_demo_on_the_port_gunicorn_binds(clean_env, tmp_path):
    clean_env.setenv("BIND", "127.0.0.1:8123")
    config = development_app(tmp_path).config

    assert config["TOOL_BASE_URL"] == "http://localhost:8123"
    # Another site than the tool's (127.0.0.1 vs localhost), on the same server: the demo frames it cross-site.
    assert config["DEMO_PLATFORM_URL"] == "http://127.0.0.1:8123/demo"


def test_development_defaults_to_port_5000(clean_env, tmp_path):
    config = development_app(tmp_path).config

    assert (config["TOOL_BASE_URL"], config["DEMO_PLATFORM_URL"]) == ("http://localhost:5000",
                                                                    "http://127.0.0.1:5000/demo")


def test_the_demo_takes_the_other_loopback_name_than_a_given_tool_base_url(clean_env, tmp_path):
    clean_env.setenv("TOOL_BASE_URL", "http://127.0.0.1:9000/")

    assert development_app(tmp_path).config["DEMO_PLATFORM_URL"] == "http://localhost:9000/demo"


def test_a_given_demo_platform_url_is_kept(clean_env, tmp_path):
    clean_env.setenv("BIND", "127.0.0.1:8123")
    clean_env.setenv("DEMO_PLATFORM_URL", "http://127.0.0.2:8123/demo")

    assert development_app(tmp_path).config["DEMO_PLATFORM_URL"] == "http://127.0.0.2:8123/demo"


def test_a_tool_host_with_no_other_name_asks_for_the_demo_platform_url(clean_env, tmp_path):
    clean_env.setenv("TOOL_BASE_URL", "http://proctor.lan:8000")
    with pytest.raises(ConfigError, match="Set DEMO_PLATFORM_URL"):
        development_app(tmp_path)


def test_a_bind_without_a_port_asks_for_the_tool_base_url(clean_env, tmp_path):
    clean_env.setenv("BIND", "unix:/run/proctor.sock")
    with pytest.raises(ConfigError, match="set TOOL_BASE_URL"):
        development_app(tmp_path)


def test_production_never_derives_its_base_url_from_bind(clean_env):
    clean_env.setenv("SECRET_KEY", STRONG)
    clean_env.setenv("BIND", "127.0.0.1:8123")
    with pytest.raises(ConfigError, match="TOOL_BASE_URL must be set"):
        create_app({"APP_ENV": "production"})


def test_the_start_banner_names_the_real_addresses(clean_env, tmp_path):
    clean_env.setenv("BIND", "127.0.0.1:8123")
    output = development_app(tmp_path).test_cli_runner().invoke(args=["demo", "addresses"]).output

    assert output == ("Proctor LTI is starting on http://localhost:8123\n"
                      "Try it with no LMS: open http://127.0.0.1:8123/demo\n")
