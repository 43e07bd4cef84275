"""Everything that runs inside one community, one subpackage per feature."""
