"""IPython magics for datasets: ``%snapshot VAR [NAME]`` stores the DataFrame in variable VAR
(or a CSV / Parquet path) as the next version of dataset NAME (default: VAR) and shows it."""

from __future__ import annotations

from IPython.core import magic_arguments
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.utils.process import arg_split


@magics_class
class DatasetMagics(Magics):
    @magic_arguments.magic_arguments()
    @magic_arguments.argument("variable", help="a DataFrame variable, or a quoted path of a CSV "
                              "/ Parquet file or folder")
    @magic_arguments.argument("name", nargs="*", help="dataset name (default: the variable's name)")
    @magic_arguments.argument("-q", "--quiet", action="store_true", help="show no progress bar")
    @line_magic
    def snapshot(self, line):
        """Snapshot a DataFrame: ``%snapshot df [NAME]``. The same content returns the stored
        version and writes nothing; inside ``%%track`` the version is an output of the run."""
        from ..datasets import api
        from ..errors import InvalidInput, MlopsLabError

        try:
            argv = arg_split(line, posix=True)
        except ValueError as exc:
            raise UsageError(f"%snapshot: {exc} in {line!r}") from None
        args = self.snapshot.parser.parse_args(argv)
        ns = self.shell.user_ns
        if args.variable in ns:
            data = ns[args.variable]
        elif args.variable.isidentifier():
            raise UsageError(f"%snapshot: there is no variable {args.variable!r}; pass a "
                             "DataFrame variable or the path of a CSV / Parquet file.")
        else:
            data = args.variable
        name = " ".join(args.name) or args.variable
        try:
            version = api.snapshot(data, name, progress=not args.quiet)
        except InvalidInput as exc:
            raise UsageError(f"%snapshot: {exc}") from None
        except MlopsLabError as exc:
            raise UsageError(f"%snapshot: {exc}") from None
        return version


# Magics classes registered by `%load_ext mlops_lab`.
MAGICS: tuple = (DatasetMagics,)
