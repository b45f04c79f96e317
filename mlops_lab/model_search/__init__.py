"""AutoML (`ml.automl`): a time-boxed search over scikit-learn model families, each trial a
tracked run. It runs no notebook, so it is a part of its own rather than a pipeline. (Not named
`automl`: a subpackage of that name would hide the `ml.automl` function.)"""
