"""RenderPlan -> `{relative path: source}` with jinja2, in its final formatted form.

The environment is strict (StrictUndefined) and never escapes: values from the snapshot reach
source only through the `py`, `comment` and `docstring` filters. Code fragments built here from
config (automation conditions, retry policies) use `py_literal` for every value too. The
templates write ruff's layout themselves; `line_fit` splits the lines that names made too wide,
so no formatter runs and the output does not depend on which ruff, if any, is installed.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from fivetran_codegen import __version__
from fivetran_codegen.config import RetryPolicy
from fivetran_codegen.plan.render_plan import ConnectionPlan, RenderPlan
from fivetran_codegen.render import generated_file, line_fit, literals


@cache
def templates_dir() -> Path:
    """Inside the wheel the templates ship as package data; in a checkout they sit at the top."""
    packaged = resources.files("fivetran_codegen").joinpath("templates")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "templates"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(literals.FILTERS)
    return env


@cache
def templates_fingerprint() -> str:
    """Changes whenever what rendering produces could change (templates, literal and line rules)."""
    digest = hashlib.sha256()
    for path in sorted(templates_dir().glob("*.jinja")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for source in (Path(literals.__file__), Path(line_fit.__file__), Path(__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def render_package_files(plan: RenderPlan) -> dict[str, str]:
    """The files that list every connection (small; rendered on every run)."""
    env = environment()
    return {
        generated_file.PACKAGE_INIT: line_fit.fit_source(
            env.get_template("package_init.py.jinja").render(plan=plan)
        ),
        generated_file.CONNECTIONS_INIT: line_fit.fit_source(
            env.get_template("connections_init.py.jinja").render(
                plan=plan, generator_version=__version__
            )
        ),
    }


def render_connection(plan: RenderPlan, connection: ConnectionPlan, body: str) -> str:
    template = environment().get_template("connection.py.jinja")
    return line_fit.fit_source(template.render(plan=plan, c=_ConnectionView(connection), body=body))


class _ConnectionView:
    def __init__(self, connection: ConnectionPlan) -> None:
        self._c = connection
        self.kinds = set(connection.kinds)
        self.tags_dict = dict(connection.tags)
        self.owners_list = list(connection.owners)
        self.automation_code = automation_code(connection.automation_condition)
        self.retry_code = retry_code(connection.retry_policy)
        self.has_primary_keys = any(
            col.is_primary_key for s in connection.specs for col in s.columns or ()
        )

    def __getattr__(self, name: str) -> object:
        return getattr(self._c, name)


def automation_code(condition: str | None) -> str | None:
    if condition is None:
        return None
    if condition.startswith("on_cron:"):
        cron = condition.removeprefix("on_cron:")
        return f"dg.AutomationCondition.on_cron({literals.py_literal(cron)})"
    return {
        "eager": "dg.AutomationCondition.eager()",
        "on_missing": "dg.AutomationCondition.on_missing()",
    }[condition]


def retry_code(policy: RetryPolicy | None) -> str | None:
    if policy is None:
        return None
    arguments = [f"max_retries={literals.py_literal(policy.max_retries)}"]
    if policy.delay is not None:
        arguments.append(f"delay={literals.py_literal(policy.delay)}")
    if policy.backoff is not None:
        arguments.append(f"backoff=dg.Backoff.{policy.backoff.upper()}")
    if policy.jitter is not None:
        arguments.append(f"jitter=dg.Jitter.{policy.jitter.upper()}")
    return f"dg.RetryPolicy({', '.join(arguments)})"
