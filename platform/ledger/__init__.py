"""The contribution ledger: versioned rate cards, an append-only ledger of what each
artist earned (automatic credits, manual entries, reversals), and the payout export."""
