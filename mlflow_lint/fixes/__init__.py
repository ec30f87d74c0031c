"""Automatic fixes (``mlflow-lint check --fix``): libcst transformers, one per rewrite.

Nothing here is imported unless the user asks for fixes: libcst costs ~0.2 s to import,
and linting never needs it. ``apply`` runs the fixes on files; ``base`` defines a fix.
"""
