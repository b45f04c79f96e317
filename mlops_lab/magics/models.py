"""IPython magics for models: ``%register VAR NAME [--alias A] [--description D]``.

Registers the fitted model in variable VAR as the next version of model NAME, linked to the
tracked run that saved it (else the active run, if any), and shows the new version with a link
that opens it in the Models view, and why it has no run when it has none.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from IPython.core import magic_arguments
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.utils.process import arg_split


@magics_class
class ModelMagics(Magics):
    @magic_arguments.magic_arguments()
    @magic_arguments.argument("variable", help="the variable holding the fitted model")
    @magic_arguments.argument("name", nargs="+", help="the model's name (quote it if it has spaces)")
    @magic_arguments.argument("-a", "--alias", help="point this alias at the new version")
    @magic_arguments.argument("-d", "--description", help="what this version is")
    @magic_arguments.argument("-x", "--example", help="variable holding an input example "
                              "(a DataFrame or 2-d array) for the signature")
    @line_magic
    def register(self, line):
        """Register a fitted model: ``%register clf "churn model" --alias challenger``."""
        from ..errors import MlopsLabError
        from ..models import api

        try:
            args = self.register.parser.parse_args(arg_split(line, posix=True))
        except ValueError as exc:
            raise UsageError(f"%register: {exc} in {line!r}") from None
        model = self._variable(args.variable, "model")
        example = self._variable(args.example, "input example") if args.example else None
        try:
            version = api.register_variable(model, args.variable, " ".join(args.name),
                                            input_example=example, alias=args.alias,
                                            description=args.description)
        except MlopsLabError as exc:
            raise UsageError(f"%register: {exc}") from None
        from IPython.display import display

        display({"text/html": version_html(version), "text/plain": version_text(version)},
                raw=True)

    def _variable(self, name: str, what: str):
        if not name.isidentifier() or name not in self.shell.user_ns:
            raise UsageError(f"%register: there is no variable {name!r} holding the {what}.")
        return self.shell.user_ns[name]


def version_text(version) -> str:
    aliases = f" [{', '.join(version.aliases)}]" if version.aliases else ""
    run = f" from run {version.run_id}" if version.run_id else ""
    note = f"\nregistered without a run: {version.note}" if version.note else ""
    return (f"model {version.name} version {version.version}{aliases} ({version.format}){run}"
            f"{note}")


def version_html(version) -> str:
    """The new version with a link to it; every stored value is escaped."""
    e = html.escape
    href = f"#mlops-lab/models/{quote(version.name, safe='')}/{version.version}"
    aliases = "".join(f' <span class="mlops-lab-alias-chip">@{e(a)}</span>'
                      for a in version.aliases)
    run = (f' &middot; run <code>{e(version.run_id[:8])}</code>' if version.run_id else "")
    note = (f'<div class="mlops-lab-model-note">Registered without a run: {e(version.note)}'
            '</div>' if version.note else "")
    return (
        '<div class="mlops-lab-model-summary" style="font-family: var(--jp-ui-font-family);'
        ' font-size: var(--jp-ui-font-size1); color: var(--jp-ui-font-color1)">'
        f'Registered <b>{e(version.name)}</b> version <b>{version.version}</b>{aliases}'
        f' &middot; {e(version.format)}{run} &middot; '
        f'<a class="mlops-lab-model-link" data-model="{e(version.name)}" '
        f'data-version="{version.version}" href="{e(href)}" '
        f'title="Open this version in the MLOps Lab Models view">open in MLOps Lab</a>{note}'
        '</div>'
    )


MAGICS = (ModelMagics,)
