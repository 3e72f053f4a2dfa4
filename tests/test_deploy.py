"""The deployment files agree with the project, and the settings behave as documented.

There is no Docker engine here: docker-compose.yml and the Dockerfile are read as data, and
every command they run is checked against what exists in the project. Settings are loaded in a
fresh interpreter with a controlled environment, since they are read once per process.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

MSG_SECRET_KEY = (
    "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off."
)
GOOD_SECRET_KEY = "k3Yx-9Rq_ZpW2mVt7Lc4Hs8Nf6Bd1Ja0Ge5Ui3Oo7Pw2Qy9Tr4Ez8Xn6Mb1Vc0Ka5"
MAIL_SERVER = "smtp://127.0.0.1:1025"
JSON_RENDERER = "rest_framework.renderers.JSONRenderer"
BROWSABLE_RENDERER = "rest_framework.renderers.BrowsableAPIRenderer"
# Settings every process of the app reads: web and worker must both get them, the same way.
APP_ENV_NAMES = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "SECRET_KEY",
    "EMAIL_URL",
    "ALLOWED_HOSTS",
    "DEBUG",
    "BEHIND_TLS_PROXY",
    "MEDIA_ROOT",
}


# --- reading the files ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not current):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, args = current.strip().partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    return instructions


def _workdir() -> str:
    workdirs = [args for kw, args in _dockerfile_instructions() if kw == "WORKDIR"]
    assert workdirs, "the Dockerfile sets no WORKDIR"
    return workdirs[-1]


def _argv(command) -> list[str]:
    """A compose `command` or a Dockerfile CMD as an argument list."""
    if isinstance(command, list):
        return [str(a) for a in command]
    command = command.strip()
    if command.startswith("["):
        return json.loads(command)
    return shlex.split(command)


def _project_file(path: str) -> Path | None:
    """The project file an absolute path in the image stands for, or None if it is not one."""
    workdir = _workdir().rstrip("/") + "/"
    if path.startswith(workdir):
        return ROOT / path[len(workdir) :]
    if not path.startswith("/") and "/" in path:
        return ROOT / path
    return None


def _scripts_run_by(argv: list[str]) -> list[Path]:
    return [
        p
        for p in (_project_file(a) for a in argv)
        if p is not None and p.suffix in {".sh", ""} and p.parent != ROOT
    ]


def _shell_lines(argv: list[str]) -> list[str]:
    """The commands a container runs, one a line: an entrypoint script's lines, or the
    command line itself."""
    scripts = _scripts_run_by(argv)
    if scripts:
        lines = []
        for script in scripts:
            lines += [
                line.strip()
                for line in script.read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")
            ]
        return lines
    if argv[:2] in (["sh", "-c"], ["bash", "-c"], ["/bin/sh", "-c"]):
        return [part.strip() for part in re.split(r"&&|;|\n", argv[2]) if part.strip()]
    return [shlex.join(argv)]


def _gunicorn_lines() -> list[tuple[str, list[str]]]:
    """(where, argv) of every gunicorn invocation in the web command and the Dockerfile CMD."""
    found = []
    web_argv = _argv(yaml.safe_load(COMPOSE.read_text())["services"]["web"]["command"])
    for line in _shell_lines(web_argv):
        argv = shlex.split(line)
        if argv and argv[0] == "exec":
            argv = argv[1:]
        if argv and Path(argv[0]).name == "gunicorn":
            found.append(("web", argv))
    for kw, args in _dockerfile_instructions():
        if kw == "CMD":
            argv = _argv(args)
            if Path(argv[0]).name == "gunicorn":
                found.append(("Dockerfile CMD", argv))
    return found


def _option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


# --- running settings in a fresh interpreter ------------------------------------------------
# A clean environment for each child: only what the test sets reaches the settings.
_NO_DOTENV = "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None)\n"


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, "-c", _NO_DOTENV + code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


_SHOW_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
from config.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "app_eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG,
    "email": settings.EMAIL_BACKEND,
    "renderers": settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
}))
"""


def _settings(**env: str) -> dict:
    result = _run_python(_SHOW_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": GOOD_SECRET_KEY,
    "EMAIL_URL": MAIL_SERVER,
    "ALLOWED_HOSTS": "paperboard.example.com",
    "BEHIND_TLS_PROXY": "1",
}


# --- docker-compose.yml ---------------------------------------------------------------------
def test_compose_has_the_services(services):
    assert {"postgres", "redis", "web", "worker"} <= services.keys()


def test_beat_runs_exactly_when_a_task_is_periodic(services):
    from config.celery import app

    assert ("beat" in services) == bool(app.conf.beat_schedule)


def test_postgres_is_built_with_the_rum_extension_for_search(services):
    postgres = services["postgres"]
    dockerfile = (ROOT / postgres["build"] / "Dockerfile").read_text()
    assert re.search(r"^FROM postgres:15\b", dockerfile, re.M)
    assert "postgresql-${PG_MAJOR}-rum" in dockerfile
    assert postgres["image"].startswith("paperboard-postgres:15")


def test_backing_services_have_healthchecks_and_app_waits_for_them(services):
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis", "web"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        for backing in ("postgres", "redis"):
            assert depends[backing]["condition"] == "service_healthy", (name, backing)


def test_web_healthcheck_calls_healthz(services):
    test = services["web"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(test if isinstance(test, list) else [test])


def test_web_and_worker_get_the_same_settings(services):
    web, worker = _env(services["web"]), _env(services["worker"])
    assert web.keys() >= APP_ENV_NAMES
    assert worker.keys() >= APP_ENV_NAMES
    assert {k: web.get(k) for k in worker} == worker
    assert web["DEBUG"] == "0"
    assert web["CACHE_URL"].startswith("redis://") and web["CACHE_URL"].endswith("/1")
    assert web["CELERY_BROKER_URL"].startswith("redis://")
    assert web["DATABASE_URL"].startswith("postgres://")


def test_web_and_worker_share_the_media_volume(compose, services):
    mounts = {}
    for name in ("web", "worker"):
        media_root = _env(services[name])["MEDIA_ROOT"]
        sources = [
            v.split(":")[0]
            for v in services[name].get("volumes", [])
            if isinstance(v, str) and v.split(":")[1] == media_root
        ]
        assert len(sources) == 1, f"{name} has no volume mounted at MEDIA_ROOT ({media_root})"
        mounts[name] = sources[0]
    assert mounts["web"] == mounts["worker"]
    assert mounts["web"] in (compose.get("volumes") or {}), "the media volume is not a named one"


def test_secrets_have_no_value_in_compose(services):
    text = COMPOSE.read_text()
    assert "SECRET_KEY:-" not in text and "SECRET_KEY-" not in text
    for name in ("web", "worker"):
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", _env(services[name])["SECRET_KEY"])
    for name, service in services.items():
        assert "env_file" not in service, f"{name}: settings come through `environment`"


def test_env_example_names_every_required_variable():
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    assert "SECRET_KEY" in required
    example = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert required <= example.keys()
    assert example["SECRET_KEY"] == "", ".env.example must not carry a secret"


def test_web_runs_migrations_before_gunicorn(services):
    lines = _shell_lines(_argv(services["web"]["command"]))
    migrate = [i for i, line in enumerate(lines) if "manage.py migrate" in line]
    serve = [i for i, line in enumerate(lines) if re.search(r"\bgunicorn\b", line)]
    assert migrate and serve, lines
    assert migrate[0] < serve[0]
    if _scripts_run_by(_argv(services["web"]["command"])):
        # A failed migration must stop the container, not start gunicorn on an old schema.
        assert any(re.match(r"set -\w*e", line) for line in lines), lines


def test_entrypoint_scripts_exist_and_are_executable(services):
    for name in ("web", "worker"):
        for script in _scripts_run_by(_argv(services[name]["command"])):
            assert script.is_file(), f"{name} runs {script}, which does not exist"
            assert os.access(script, os.X_OK), f"{script} is not executable"
            assert script.read_text().startswith("#!"), f"{script} has no shebang"


def test_gunicorn_serves_the_wsgi_app_with_its_config():
    invocations = _gunicorn_lines()
    assert {where for where, _ in invocations} == {"web", "Dockerfile CMD"}
    for where, argv in invocations:
        assert argv[-1] == "config.wsgi:application", where
        assert _option(argv, "-c", "--config") == "config/gunicorn.py", where
    assert (ROOT / "config" / "gunicorn.py").is_file()


def _gunicorn_with_the_production_config(option: str, **env: str) -> subprocess.CompletedProcess:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.run(
        [str(gunicorn), option, "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            **PRODUCTION_ENV,
            **env,
        },
    )


def test_gunicorn_config_and_wsgi_app_load_in_production_settings():
    # --check-config parses config/gunicorn.py and imports the app, then exits.
    result = _gunicorn_with_the_production_config("--check-config")
    assert result.returncode == 0, result.stdout + result.stderr
    printed = _gunicorn_with_the_production_config("--print-config").stdout
    config = dict(
        (part.strip() for part in line.split("=", 1))
        for line in printed.splitlines()
        if "=" in line
    )
    assert config["bind"] == "['0.0.0.0:8000']"
    assert int(config["workers"]) >= 2
    assert int(config["timeout"]) >= 30


def test_each_gunicorn_worker_listens_apart_where_the_kernel_hands_on_their_connections(
    tmp_path,
):
    from config import gunicorn as conf

    setting = tmp_path / "tcp_migrate_req"
    setting.write_text("1\n")
    assert conf._reuse_port_default(str(setting)) is True
    setting.write_text("0\n")
    assert conf._reuse_port_default(str(setting)) is False  # a stopping worker would reset
    assert conf._reuse_port_default(str(tmp_path / "absent")) is False
    for value, expected in (("1", "True"), ("0", "False")):
        printed = _gunicorn_with_the_production_config(
            "--print-config", GUNICORN_REUSE_PORT=value
        ).stdout
        assert re.search(rf"^reuse_port\s*=\s*{expected}$", printed, re.M), value
        # a worker per core with four threads where connections are spread, else two per core
        threads = re.search(r"^threads\s*=\s*(\d+)$", printed, re.M).group(1)
        assert threads == ("4" if value == "1" else "2")


def test_the_web_container_hands_a_stopping_workers_connections_to_the_others(services):
    # config/gunicorn.py's reuse_port: each worker has a socket of its own.
    assert str(services["web"].get("sysctls", {}).get("net.ipv4.tcp_migrate_req")) == "1"


def test_worker_runs_the_celery_app_that_has_the_ingestion_task(services):
    argv = _argv(services["worker"]["command"])
    assert argv[0] == "celery" and "worker" in argv
    app_name = _option(argv, "-A", "--app")
    assert app_name == "config"
    assert _option(argv, "--concurrency", "-c") == "2"
    assert _option(argv, "--prefetch-multiplier") == "1"

    # Every option is one the worker command knows (a typo would stop the container).
    from celery.bin.worker import worker as worker_command

    known = {opt for param in worker_command.params for opt in param.opts + param.secondary_opts}
    after = argv[argv.index("worker") + 1 :]
    unknown = [a.split("=")[0] for a in after if a.startswith("-") and a.split("=")[0] not in known]
    assert not unknown

    # Resolved as the celery command does, in a fresh process, so no earlier test's imports help.
    result = _run_python(
        "import json\n"
        "from celery.app.utils import find_app\n"
        f"app = find_app({app_name!r})\n"
        "app.loader.import_default_modules()\n"
        "print(json.dumps(sorted(app.tasks)))\n",
    )
    assert result.returncode == 0, result.stderr
    assert "papers.tasks.ingest_dump" in json.loads(result.stdout.strip().splitlines()[-1])


# --- Dockerfile -----------------------------------------------------------------------------
def test_dockerfile_base_image_user_and_cmd():
    instructions = _dockerfile_instructions()
    keywords = [kw for kw, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim-bookworm")
    users = [args for kw, args in instructions if kw == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}, "the image must not run as root"
    assert keywords.index("USER") < keywords.index("CMD")
    cmd = _argv(dict(instructions)["CMD"])
    assert Path(cmd[0]).name == "gunicorn"


def test_dockerfile_installs_the_base_requirements_before_copying_the_code():
    instructions = _dockerfile_instructions()
    copy_req = next(
        i
        for i, (kw, args) in enumerate(instructions)
        if kw == "COPY" and "requirements/base.txt" in args.split()
    )
    install = next(
        i
        for i, (kw, args) in enumerate(instructions)
        if kw == "RUN" and re.search(r"pip install .*-r requirements/base\.txt", args)
    )
    copy_all = next(
        i for i, (kw, args) in enumerate(instructions) if kw == "COPY" and args.split()[0] == "."
    )
    assert copy_req < install < copy_all


def test_dockerfile_collects_static_files_with_a_throwaway_key():
    runs = [args for kw, args in _dockerfile_instructions() if kw == "RUN"]
    collect = [r for r in runs if "collectstatic" in r]
    assert collect, "static files are not collected at build time"
    # DEBUG off, so the manifest whitenoise serves in production is written.
    assert re.search(r"\bDEBUG=0\b", collect[0])
    assert re.search(r"\bEMAIL_URL=smtp://\S+", collect[0]), "settings refuse DEBUG off without"
    key = re.search(r"\bSECRET_KEY=(\S+)", collect[0])
    assert key and len(key.group(1)) >= 50 and not key.group(1).startswith("django-insecure")
    assert "SECRET_KEY" not in {
        args.split("=")[0].split()[0]
        for kw, args in _dockerfile_instructions()
        if kw in {"ENV", "ARG"}
    }, "a key in ENV or ARG would stay in the image"


def test_every_file_the_dockerfile_names_exists():
    named = set()
    for kw, args in _dockerfile_instructions():
        if kw in {"COPY", "ADD"}:
            parts = [p for p in _argv(args) if not p.startswith("--")]
            named.update(p for p in parts[:-1] if p != ".")
        elif kw in {"RUN", "CMD", "ENTRYPOINT"}:
            named.update(re.findall(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.(?:py|sh|txt))\b", args))
    assert "requirements/base.txt" in named
    assert "manage.py" in named
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert not missing


def test_dockerignore_keeps_secrets_out_and_needed_files_in():
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("!")
    ]

    def ignored(path: str) -> bool:
        return any(
            fnmatch.fnmatch(path, p.lstrip("/")) or path.startswith(p.strip("/") + "/")
            for p in patterns
        )

    for secret in (".env", ".venv/bin/python", ".git/config", "db.sqlite3", "media/x"):
        assert ignored(secret), secret
    for needed in (
        "requirements/base.txt",
        "manage.py",
        "config/gunicorn.py",
        "docker/web-entrypoint.sh",
        "config/settings.py",
        "papers/tasks.py",
    ):
        assert not ignored(needed), needed


# --- settings -------------------------------------------------------------------------------
def test_production_refuses_to_start_without_a_secret_key():
    result = _run_python("import config.settings", DEBUG="0")
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert MSG_SECRET_KEY in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "too-short-a-key",
        "x" * 31,
        "django-insecure-" + "a1b2c3d4e5" * 5,  # the prefix startproject writes
        "x" * 60,  # long, but check --deploy calls it weak (security.W009): few characters
        "ab" * 30,
    ],
)
def test_production_refuses_an_insecure_secret_key(key):
    result = _run_python("import config.settings", DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert MSG_SECRET_KEY in result.stderr


def test_nothing_set_is_the_embedded_default():
    assert _settings() == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "app_eager": True,
        "broker": "memory://",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "debug": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "renderers": [JSON_RENDERER, BROWSABLE_RENDERER],
    }


def test_database_and_broker_set_is_the_production_shape():
    shown = _settings(
        DATABASE_URL="postgres://paperboard@127.0.0.1:1/paperboard",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        SECRET_KEY=GOOD_SECRET_KEY,
        EMAIL_URL=MAIL_SERVER,
    )
    assert shown == {
        "engine": "config.postgresql",  # Django's, with a health check without a round trip
        "eager": False,
        "app_eager": False,
        "broker": "redis://127.0.0.1:1/0",
        "cache": "django.core.cache.backends.redis.RedisCache",
        "debug": False,
        "email": "django.core.mail.backends.smtp.EmailBackend",
        "renderers": [JSON_RENDERER],  # JSON only: no browsable API in production
    }


def test_api_browsable_turns_the_browsable_api_on_in_production():
    shown = _settings(**PRODUCTION_ENV, API_BROWSABLE="1")
    assert (shown["debug"], shown["renderers"]) == (False, [JSON_RENDERER, BROWSABLE_RENDERER])
    assert _settings(API_BROWSABLE="0")["renderers"] == [JSON_RENDERER]


def test_check_deploy_has_no_warnings_in_production_settings():
    result = _run_python(
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(\n"
        "    ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']\n"
        ")\n",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


UNDELIVERED = [
    {},  # nothing set: the console
    {"EMAIL_URL": "consolemail://"},
    {"EMAIL_URL": "memorymail://"},
    {"EMAIL_URL": "dummymail://"},
    {"EMAIL_URL": "filemail:///tmp/mail"},
    {"EMAIL_URL": MAIL_SERVER, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
]


@pytest.mark.parametrize("mail", UNDELIVERED, ids=lambda mail: "-".join(mail.values()) or "unset")
def test_production_refuses_to_start_with_no_mail_server(mail):
    """With DEBUG off, password-reset links must reach people, not the log."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_URL"}
    result = _run_python("import config.settings", **env, **mail)
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: EMAIL_URL (or EMAIL_BACKEND) must " in (
        result.stderr
    )


def test_check_deploy_refuses_a_mail_backend_that_delivers_nothing():
    """Checked with DEBUG on (the settings load), `check --deploy` names the setting."""
    result = _run_python(
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy'])\n",
        DEBUG="1",
        EMAIL_URL="consolemail://",
    )
    assert result.returncode != 0
    assert "(paperboard.E001) EMAIL_URL (or EMAIL_BACKEND) must name a mail server" in (
        result.stderr
    )


def test_gunicorn_freezes_the_master_s_heap_and_collects_a_worker_s_young_objects_less_often():
    # In a process of its own: the hooks change the interpreter's collector.
    result = _run_python(
        "import gc\n"
        "from config import gunicorn as conf\n"
        "conf.pre_fork(None, None)\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
        "conf.post_fork(None, None)\n"
        "print(gc.get_threshold()[0])\n"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == 20000
