"""`mlops-lab demo`: the whole continuous-training loop, headless, in a fresh folder.

train → snapshot → register → serve → traffic → drift → alert → retraining → gate → alias move
→ hot swap, each step printed with its figures (`steps.run`). The data (`data.py`) is made so
that the retrained version is really better: after the shift, customers who call support
often churn, a relation the first version never saw.
"""

from ..errors import MlopsLabError


class DemoFailed(MlopsLabError):
    """A step of the demo did not come out as the story needs (said with what happened)."""
