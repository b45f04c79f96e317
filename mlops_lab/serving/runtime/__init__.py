"""The model server's core: request validation, prediction, the prediction log queue, metrics
and the ASGI app.

Nothing here imports mlops_lab outside this folder (except, optionally, its error base class):
`mlops-lab package` copies this folder as is into a container build context, so the container
serves with exactly the code `mlops-lab serve` runs, on starlette, uvicorn, prometheus_client,
pandas, numpy and skops alone.
"""
