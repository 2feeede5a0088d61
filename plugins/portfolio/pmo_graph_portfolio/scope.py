"""Constants shared by the portfolio office's modules."""

TIER = "portfolio"
