"""The analytics page's stored rollups: built from the attendance register, kept current by
jobs, read in a handful of small statements (see ``store`` for the contract)."""
