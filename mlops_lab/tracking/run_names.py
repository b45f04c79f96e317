"""Friendly default run names such as `brave-owl-417`, easy to say and to find again."""

import random

_ADJECTIVES = (
    "amber brave bright calm clever crisp daring eager fair fast gentle golden grand happy "
    "keen kind lively lucky merry mighty noble polite proud quick quiet rapid rare silent "
    "sleek smart steady sunny swift tidy vivid warm wise witty young zesty"
).split()
_NOUNS = (
    "ant bat bear bee crane deer dove eagle falcon finch fox gecko hare hawk heron ibis koala "
    "lark lion lynx mole moth newt otter owl panda puma quail raven robin seal shark sloth "
    "swan tiger toad trout wolf wren yak zebra"
).split()


# Our own generator: drawing from the global one would shift a user's seeded random sequence.
_rng = random.Random()


def new_run_name() -> str:
    return f"{_rng.choice(_ADJECTIVES)}-{_rng.choice(_NOUNS)}-{_rng.randint(100, 999)}"
