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

import asyncio as _asyncio

import pytest as _pytest


@_pytest.fixture
def raw_request(jp_http_port, jp_auth_header, jp_asyncio_loop):
    """A request written on a raw connection to the test server, with the token: `head` the
    request line, then `headers` and `chunks` of body sent as they are (the request need not
    ever end). Returns what came back once the answer names `until`, or the server closed
    the connection (tornado's client would wait for the whole body to be sent first)."""

    async def send(head: str, headers: dict, chunks, until: bytes) -> bytes:
        reader, writer = await _asyncio.open_connection("127.0.0.1", jp_http_port)
        lines = [head, f"Host: 127.0.0.1:{jp_http_port}",
                 f"Authorization: {jp_auth_header['Authorization']}",
                 "Content-Type: application/json", *(f"{k}: {v}" for k, v in headers.items())]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        for chunk in chunks:
            writer.write(chunk)
        await writer.drain()
        received = b""
        while until not in received and (data := await reader.read(65536)):
            received += data
        writer.close()
        return received

    def request(head: str, headers: dict, chunks=(), until: bytes = b"BodyTooLarge") -> bytes:
        return jp_asyncio_loop.run_until_complete(
            _asyncio.wait_for(send(head, headers, chunks, until), 30))

    return request
