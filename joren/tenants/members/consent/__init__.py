"""The community's privacy notice (利用目的) and each person's consent to it (issue 17)."""
