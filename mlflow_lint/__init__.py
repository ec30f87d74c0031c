"""mlflow-lint: a static analyzer for code and configuration that uses MLflow."""

__version__ = "0.1.0"
