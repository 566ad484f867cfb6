"""The budget app's pages: the cycle page (page.py, its one home) and the views of cycles,
their expenses, budgets, income and search, one module each."""
