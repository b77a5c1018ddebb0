"""Factories of the policies and predictors registered from Python, by name.

The C++ registries look a factory up here each time they make a component, so no Python object
is owned by C++ state that outlives the interpreter.
"""

POLICIES = {}  # name -> callable(params: dict, semantics: str) -> object with select(ctx)
PREDICTORS = {}  # name -> callable(profiles, params: dict, semantics: str) -> object with observe()
