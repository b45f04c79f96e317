"""IPython magics for monitoring: ``%drift REFERENCE CURRENT`` compares two DataFrames (or
snapshots) and shows the report; ``%monitor NAME`` runs a monitor now and shows its run."""

from __future__ import annotations

from IPython.core import magic_arguments
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.utils.process import arg_split


@magics_class
class MonitoringMagics(Magics):
    def _args(self, magic, name: str, line: str):
        try:
            return magic.parser.parse_args(arg_split(line, posix=True))
        except ValueError as exc:
            raise UsageError(f"%{name}: {exc} in {line!r}") from None

    def _table(self, source: str):
        """A DataFrame variable of the notebook, or a snapshot ("customers@3")."""
        from ..services import services

        ns = self.shell.user_ns
        if source in ns:
            return ns[source]
        if source.isidentifier() and "@" not in source:
            raise UsageError(f"%drift: there is no variable {source!r}; pass a DataFrame "
                             "variable or a snapshot such as customers@3.")
        return services().datasets.load(source)[1]

    @magic_arguments.magic_arguments()
    @magic_arguments.argument("reference", help="a DataFrame variable or a snapshot")
    @magic_arguments.argument("current", help="a DataFrame variable or a snapshot")
    @magic_arguments.argument("-c", "--columns", nargs="+", help="only these columns")
    @line_magic
    def drift(self, line):
        """Drift of CURRENT against REFERENCE, column by column: ``%drift train recent`` or
        ``%drift customers@1 customers@2``. Shows the verdict, a table and per-column charts."""
        from ..errors import MlopsLabError
        from ..monitoring.drift import detect_drift

        args = self._args(self.drift, "drift", line)
        try:
            return detect_drift(self._table(args.reference), self._table(args.current),
                                columns=args.columns)
        except (MlopsLabError, KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"%drift: {exc}") from None

    @magic_arguments.magic_arguments()
    @magic_arguments.argument("name", help="the monitor's name, e.g. churn@champion")
    @line_magic
    def monitor(self, line):
        """Runs a monitor now and shows its run: ``%monitor churn@champion``."""
        from ..errors import MlopsLabError
        from ..monitoring import api

        args = self._args(self.monitor, "monitor", line)
        try:
            return api.run_monitor(args.name)
        except MlopsLabError as exc:
            raise UsageError(f"%monitor: {exc}") from None


# Magics classes registered by `%load_ext mlops_lab`.
MAGICS: tuple = (MonitoringMagics,)
