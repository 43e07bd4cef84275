"""Who: the account of a person and the community (tenant); the models every layer above names."""
