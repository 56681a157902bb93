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
from fivetran_codegen.plan.render_plan import ConnectionPlan, RenderPlan
from fivetran_codegen.render import generated_file, line_fit, literals, settings_code


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
    here = Path(__file__)
    # spec_code by path: importing it imports dagster, which generate needs only for translators.
    sources = (literals.__file__, line_fit.__file__, settings_code.__file__)
    for source in (*map(Path, sources), here.with_name("spec_code.py"), here):
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
        self.automation_code = settings_code.automation_condition(connection.automation_condition)
        self.retry_code = settings_code.retry_policy(connection.retry_policy)
        self.freshness_code = settings_code.freshness_policy(connection.freshness_policy)
        self.schema_checks = connection.schema_checks
        # Freshness windows are the only code written with `datetime.timedelta`.
        self.uses_datetime = self.freshness_code is not None or any(
            s.code("freshness_policy") not in (None, "None") for s in connection.specs
        )
        self.has_primary_keys = any(
            col.is_primary_key for s in connection.specs for col in s.columns or ()
        )

    def __getattr__(self, name: str) -> object:
        return getattr(self._c, name)
