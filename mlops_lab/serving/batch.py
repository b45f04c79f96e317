"""Batch scoring: a CSV or Parquet file in, a Parquet file of the inputs plus the predictions
out, read and scored chunk by chunk (memory stays flat), with a progress bar.

With `probabilities`, a classifier's class probabilities follow the predictions, one column
per class (`probability_<class>`).

Rows are held to the model server's rules (`runtime/validation.check_frame`), with row numbers
counted from the start of the file. The output appears whole or not at all: it is written to a
temp file beside the target, fsynced and renamed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInput
from .runtime.errors import RequestError
from .runtime.validation import check_frame

CHUNK_ROWS = 50_000


@dataclass
class BatchResult:
    ref: str
    version: int
    rows: int
    output: str
    prediction_column: str
    ignored_columns: list[str] = field(default_factory=list)
    probability_columns: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


def score_file(predictor, input_path, output_path, *, chunk_rows: int = CHUNK_ROWS,
               progress: bool = True, probabilities: bool = False) -> BatchResult:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm import tqdm

    source, target = Path(input_path), Path(output_path)
    if not source.is_file():
        raise InvalidInput(f"No input file {str(source)!r}.")
    if target.exists() and target.resolve() == source.resolve():
        raise InvalidInput("The output file must not be the input file.")
    if target.suffix.lower() != ".parquet":
        raise InvalidInput(f"The output is written as Parquet: name it *.parquet, not "
                           f"{target.name!r}.")
    if not target.parent.is_dir():
        raise InvalidInput(f"The output folder {str(target.parent)!r} does not exist.")
    chunks, total = _chunks(source, chunk_rows)
    is_csv = source.suffix.lower() != ".parquet"
    outputs = (predictor.signature or {}).get("outputs") or []
    column = outputs[0]["name"] if len(outputs) == 1 else "prediction"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    writer, rows, ignored, added = None, 0, [], []
    try:
        with tqdm(total=total, unit="rows", disable=not progress, desc="scoring",
                  dynamic_ncols=True) as bar:
            for chunk in chunks:
                if is_csv:
                    chunk = numbers_from_text(chunk, predictor.columns)
                try:
                    frame, ignored = check_frame(chunk, predictor.columns,
                                                 allow_missing=predictor.allow_missing,
                                                 first_row=rows)
                    answer = predictor.predict(frame, probabilities)
                except RequestError as exc:
                    raise InvalidInput(f"{source.name}: {exc}") from None
                out = chunk.reset_index(drop=True)
                added = [column] + [f"probability_{c}" for c in answer.get("classes", [])]
                taken = [c for c in added if c in out.columns]
                if taken:
                    raise InvalidInput(f"The input already has a column {taken[0]!r}, where the "
                                       "predictions go; rename it.")
                out[column] = answer["predictions"]
                if len(added) > 1:  # one column per class, from the rows × classes matrix
                    probabilities = np.asarray(answer["probabilities"], dtype=float)
                    for i, name in enumerate(added[1:]):
                        out[name] = probabilities[:, i]
                table = pa.Table.from_pandas(out, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                elif table.schema != writer.schema:
                    try:
                        table = table.cast(writer.schema)
                    except (pa.ArrowInvalid, ValueError) as exc:
                        raise InvalidInput(f"{source.name}: a column changes type after row "
                                           f"{rows} ({exc}); give it one type.") from None
                writer.write_table(table)
                rows += len(out)
                bar.update(len(out))
        if writer is None:
            raise InvalidInput(f"{source.name} has no rows to score.")
        writer.close()
        writer = None
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if writer is not None:
            writer.close()
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return BatchResult(ref=f"{predictor.name}/{predictor.version}", version=predictor.version,
                       rows=rows, output=str(target), prediction_column=column,
                       ignored_columns=ignored, probability_columns=added[1:])


def numbers_from_text(chunk, columns):
    """CSV has no types: text that reads as a number is one, in the model's numeric columns.
    (pandas reads a whole column as text when one cell is not a number; that cell stays text
    so the rules name it.)"""
    import pandas as pd

    for column in columns or []:
        if column.kind not in ("float", "integer") or column.name not in chunk.columns:
            continue
        series = chunk[column.name]
        if series.dtype.kind in "iufb":
            continue
        numbers = pd.to_numeric(series, errors="coerce")
        unreadable = series.notna() & numbers.isna()
        chunk[column.name] = (numbers if not unreadable.any()
                              else numbers.astype(object).where(~unreadable, series))
    return chunk


def _chunks(source: Path, chunk_rows: int):
    """(iterator of DataFrames, total rows or None)."""
    suffix = source.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(source)
        except Exception as exc:
            raise InvalidInput(f"{source.name} is not a readable Parquet file ({exc}).") from None
        batches = parquet.iter_batches(batch_size=chunk_rows)
        return (batch.to_pandas() for batch in batches), parquet.metadata.num_rows
    if suffix in (".csv", ".txt"):
        import pandas as pd

        try:
            reader = pd.read_csv(source, chunksize=chunk_rows)
        except (ValueError, pd.errors.ParserError) as exc:
            raise InvalidInput(f"{source.name} is not a readable CSV file ({exc}).") from None
        return _csv_chunks(reader, source), _count_lines(source) - 1
    raise InvalidInput(f"Score .csv or .parquet files, not {source.name!r}.")


def _csv_chunks(reader, source: Path):
    import pandas as pd

    try:
        yield from reader
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{source.name} is not a readable CSV file ({exc}).") from None
    finally:
        reader.close()


def _count_lines(path: Path) -> int:
    """For the progress bar's total (a quoted field with a newline makes it an estimate)."""
    count, last = 0, b"\n"
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")
