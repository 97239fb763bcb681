"""The `outcomes` command line."""
