"""YAML read with limits: a pipeline file is small, and a few hundred bytes of nested aliases
must not become gigabytes in memory."""

from __future__ import annotations

# YAML aliases share one value in memory, but everything that walks the document (checks,
# JSON for the store) expands them: a few hundred bytes of nested aliases become gigabytes.
MAX_ALIASES = 1_000
MAX_VALUES = 100_000  # values in the document once its aliases are expanded


class TooBig(Exception):
    """The YAML is over a limit of ours (aliases, expanded size); the text says which."""


def load_yaml(text: str):
    """yaml.safe_load with limits on aliases and on the document's size with its aliases
    expanded, checked while it is composed (before anything expands it)."""
    import yaml
    from yaml.nodes import MappingNode, SequenceNode

    class LimitedLoader(yaml.SafeLoader):
        aliases = 0
        sizes: dict[int, int]  # id(node) -> values under it, aliases expanded

        def compose_node(self, parent, index):
            alias = self.check_event(yaml.AliasEvent)
            node = super().compose_node(parent, index)
            if alias:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise TooBig(f"more than {MAX_ALIASES} YAML aliases (*name); write the "
                                  "values out.")
                if id(node) not in self.sizes:  # the anchor is a value still being read
                    raise TooBig("a YAML alias refers to a value that contains it.")
                return node
            if isinstance(node, SequenceNode):
                children = node.value
            elif isinstance(node, MappingNode):
                children = [part for pair in node.value for part in pair]
            else:
                children = []
            size = 1 + sum(self.sizes[id(child)] for child in children)
            if size > MAX_VALUES:
                raise TooBig(f"more than {MAX_VALUES:,} values once its YAML aliases are "
                              "expanded; a pipeline file needs far fewer (an alias bomb?).")
            self.sizes[id(node)] = size
            return node

    loader = LimitedLoader(text)
    loader.sizes = {}
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
