"""pytest-jupyter's server fixtures, for the modules that test through a real Jupyter server:
`from jupyter_server_fixtures import *`. Not registered as a plugin (pytest_plugins): its
autouse event-loop fixtures would then wrap every test of the suite, the browser tests included.
"""

from pytest_jupyter.jupyter_server import (  # noqa: F401
    echo_kernel_spec, http_server, http_server_client, http_server_port, io_loop, jp_argv,
    jp_asyncio_loop, jp_auth_header, jp_base_url, jp_config_dir, jp_configurable_serverapp,
    jp_data_dir, jp_env_config_path, jp_env_jupyter_path, jp_environ, jp_extension_environ,
    jp_fetch, jp_home_dir, jp_http_port, jp_kernel_dir, jp_logging_stream, jp_nbconvert_templates,
    jp_root_dir, jp_runtime_dir, jp_server_cleanup, jp_serverapp, jp_system_config_path,
    jp_system_jupyter_path, jp_template_dir, jp_web_app,
)
