"""Jupyter server extension of mlops-lab: the REST API the JupyterLab side panel talks to."""


def _jupyter_server_extension_points():
    from .app import MlopsLabApp

    return [{"module": "mlops_lab.server", "app": MlopsLabApp}]
