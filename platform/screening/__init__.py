"""Automated pre-screening of outputs before review (issue 18; decision 0035)."""
