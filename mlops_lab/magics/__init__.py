"""IPython magics, one module per part: ``%%track`` (track), and the magics of the other parts.

Magics parse their line, call one service and render the result; rules live in the services.
"""

from __future__ import annotations

from . import datasets, models, monitoring, track

PARTS = (track, datasets, models, monitoring)


def load_ipython_extension(ip) -> None:
    for part in PARTS:
        for magics in part.MAGICS:
            ip.register_magics(magics)
