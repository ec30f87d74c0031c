"""Sources turn a file's bytes into something the checks can analyse."""
