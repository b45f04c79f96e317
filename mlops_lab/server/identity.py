"""Who a REST request is, in the words recorded wherever a "who" is kept (alias moves,
registrations, monitors, alert acknowledgements).

The rule: the name the server's identity provider gives, when it is a real one (JupyterHub's,
or any provider configured to know users); else the OS account running the server. Jupyter
server's built-in providers (token or password login) know no one: they make up an anonymous
user per browser, whose "username" is a random hex id ("d700ec349d384…") that says nothing in a
history. A single-user server's user is then the account it runs as, the same name the kernel
records for what it registers from a notebook.
"""

from __future__ import annotations

from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider

from ..models.names import user_name

# Providers that only ever make up anonymous users (exact classes: a subclass may know users).
ANONYMOUS_PROVIDERS = (IdentityProvider, PasswordIdentityProvider)


def jupyter_user_name(identity_provider, user) -> str:
    """The recorded name of `user`, who was authenticated by `identity_provider`."""
    if type(identity_provider) not in ANONYMOUS_PROVIDERS:
        name = getattr(user, "username", None) or getattr(user, "name", None)
        if name:
            return user_name(str(name))
    return user_name(None)  # the OS account running the server
