"""Allows ``python -m mlflow_lint``."""

from mlflow_lint.cli import main

if __name__ == "__main__":
    main()
